/** Share of a backoff delay that is randomised, so that many clients do not retry in step. */
export const BACKOFF_JITTER = 0.2;

/** Bounds of an exponential backoff: `reconnect_initial_ms` and `reconnect_max_ms` of `[amqp]`. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * The delay before retry number `attempt` (from 1): `initialMs · 2^(attempt-1)`, capped at `maxMs`, then
 * shortened by up to {@link BACKOFF_JITTER} of itself. Never more than `maxMs`, never negative.
 *
 * @param random a number in [0, 1); `Math.random()` by default (tests pass a fixed one).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number = Math.random()): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const base = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.max(0, Math.round(base * (1 - BACKOFF_JITTER * random)));
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts (then it resolves too: the caller checks why it woke).
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
