import type { HubResult, StopOptions } from './consumer-hub.js';

/** What {@link installSignalHandlers} listens on: `process`, or any emitter in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Options of {@link installSignalHandlers}. */
export interface SignalHandlerOptions {
  /** Default `SIGINT` and `SIGTERM`. */
  readonly signals?: readonly NodeJS.Signals[];
  /** A second signal while stopping: give up waiting (the CLI exits with 130). */
  readonly onRepeat?: (signal: NodeJS.Signals) => void;
}

/**
 * On the first of `signals`, stops `hub` gracefully (exit code 0, the signal as reason); on another, calls
 * `onRepeat`. Returns a function that removes the listeners.
 */
export function installSignalHandlers(
  hub: { stop(options?: StopOptions): Promise<HubResult> },
  source: SignalSource,
  options: SignalHandlerOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  let stopping = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.onRepeat?.(signal);
      return;
    }
    stopping = true;
    void hub.stop({ reason: `received ${signal}`, exitCode: 0 });
  };
  for (const signal of signals) source.on(signal, listener);
  return () => {
    for (const signal of signals) source.off(signal, listener);
  };
}
