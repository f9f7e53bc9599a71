/**
 * Something that happened on the bus but is not in the archive, recorded into the metrics' rollups by the process
 * that saw it (the archiver, a transport): a sequence gap of a producer, a message dead-lettered or refused, the
 * delay between publishing and archiving of messages newly stored.
 */
export type BusEvent =
  /** `lost` messages of `producer` never arrived (one gap reported by the transport). */
  | { readonly type: 'gap'; readonly time: number; readonly producer: string; readonly lost: number }
  /** A message was dead-lettered (nacked without requeue) for `reason`. */
  | { readonly type: 'dead-letter'; readonly time: number; readonly reason: string }
  /** A received message was refused (dropped on receipt) for `reason`. */
  | { readonly type: 'refused'; readonly time: number; readonly reason: string }
  /** A message was newly archived `delayMs` after its envelope's time. `time` is the envelope's. */
  | { readonly type: 'archived'; readonly time: number; readonly delayMs: number };

/** Takes {@link BusEvent}s into the metrics (bound by the metrics package, optional everywhere). */
export interface BusEventRecorder {
  /**
   * Adds the events to the rollups in one write. Resolves when written; never rejects for a plugin's failure
   * (counted and logged), rejects with `StoreError` when the store fails.
   */
  recordEvents(events: readonly BusEvent[]): Promise<void>;
}
