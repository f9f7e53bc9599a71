/** Running totals of one handler. */
export interface HandlerCounters {
  /** Messages it handled successfully. */
  processed: number;
  /** Messages it dropped (`Drop`). */
  dropped: number;
  /** Messages dead-lettered after it failed them `max_retries` + 1 times. */
  failed: number;
  /** Times it asked for a retry (`Nack`) or failed with retries left. */
  retried: number;
  /** When it last finished with a message (ms since the epoch). */
  lastMessageAt: number | undefined;
}

/**
 * Running totals of a consumer hub. Every delivery is counted once in `received` and, once settled, once in
 * exactly one of `processed`, `dropped`, `rejected`, `failed`, `retried` or `requeued`.
 */
export interface ConsumerCounters {
  received: number;
  /** Acknowledged after every matching handler succeeded. */
  processed: number;
  /** Acknowledged unprocessed: every matching handler dropped it. */
  dropped: number;
  /** Dead-lettered without reaching a handler: bad signature, unknown key, routing policy or schema. */
  rejected: number;
  /** Dead-lettered after `max_retries` retries. */
  failed: number;
  /** Requeued for a retry. */
  retried: number;
  /** Returned to the queue unprocessed because the hub was stopping. */
  requeued: number;
  /** When the last message was received (ms since the epoch). */
  lastMessageAt: number | undefined;
  /** Per handler name. */
  handlers: Record<string, HandlerCounters>;
}

/** Fresh counters for the given handler names. */
export function emptyCounters(handlers: readonly string[] = []): ConsumerCounters {
  return {
    received: 0,
    processed: 0,
    dropped: 0,
    rejected: 0,
    failed: 0,
    retried: 0,
    requeued: 0,
    lastMessageAt: undefined,
    handlers: Object.fromEntries(handlers.map((name) => [name, emptyHandlerCounters()])),
  };
}

/** Fresh counters of one handler. */
export function emptyHandlerCounters(): HandlerCounters {
  return { processed: 0, dropped: 0, failed: 0, retried: 0, lastMessageAt: undefined };
}

/** A deep copy, safe to hand out. */
export function snapshotCounters(counters: ConsumerCounters): ConsumerCounters {
  return {
    ...counters,
    handlers: Object.fromEntries(Object.entries(counters.handlers).map(([name, handler]) => [name, { ...handler }])),
  };
}
