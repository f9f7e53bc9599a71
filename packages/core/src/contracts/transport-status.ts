/**
 * What a transport reports about its connection and the stream, as a discriminated union on `type`.
 * Connection trouble is reported here, never thrown at a caller who did not ask.
 */
export type TransportStatus =
  /** Connected (or bound) to `address`. */
  | { readonly type: 'connected'; readonly address: string }
  /** Lost the connection to `address`; `error` says why when known. */
  | { readonly type: 'disconnected'; readonly address: string; readonly error?: Error }
  /** About to try `address` again after `delayMs`; `attempt` counts from 1. */
  | { readonly type: 'reconnecting'; readonly address: string; readonly attempt: number; readonly delayMs: number }
  /**
   * `missed` messages of one producer instance never arrived; their `seq` lies in `from`..`to` (inclusive).
   * Brokerless transports report every lost message this way. On a filtered subscription the producer's
   * other topics never reach the subscriber, so `missed` may be less than `to - from + 1`.
   */
  | {
      readonly type: 'gap';
      readonly producer: string;
      readonly instance: string;
      readonly from: number;
      readonly to: number;
      readonly missed: number;
    }
  /** A received frame or message was dropped (malformed, too large, invalid); counted in {@link TransportCounters}. */
  | { readonly type: 'dropped'; readonly reason: DropReason; readonly error: Error }
  /** Something went wrong that did not end the transport. */
  | { readonly type: 'error'; readonly error: Error }
  /** `close()` finished; no status follows. */
  | { readonly type: 'closed' };

/** Why a received message was dropped (`topic-mismatch`: routed by another topic than its envelope names). */
export type DropReason = 'malformed' | 'too-large' | 'invalid' | 'topic-mismatch' | 'rejected' | 'overflow';

/** Running totals a transport keeps; a snapshot is returned by `Transport.counters()`. */
export interface TransportCounters {
  readonly published: number;
  readonly received: number;
  /** Messages dropped on receipt, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Holes in producer sequences reported as `gap` status. */
  readonly gaps: number;
  /** Messages known lost: the sum of `missed` over the gaps. */
  readonly missed: number;
  readonly reconnects: number;
}
