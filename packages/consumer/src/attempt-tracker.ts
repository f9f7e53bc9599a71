/** Most message ids remembered; the oldest are forgotten first. */
export const DEFAULT_TRACKED_MESSAGES = 10_000;

/**
 * Counts deliveries per message id in this process, so that retries stay bounded on transports that do
 * not count deliveries themselves. The count of a delivery is the larger of the transport's and this one.
 */
export class AttemptTracker {
  readonly #attempts = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = DEFAULT_TRACKED_MESSAGES) {
    this.#limit = limit;
  }

  /** Records one more delivery of `id` and returns its attempt number (1 for the first). */
  next(id: string, transportCount: number): number {
    const previous = this.#attempts.get(id) ?? 0;
    const attempt = Math.max(previous + 1, Number.isFinite(transportCount) ? transportCount : 1);
    this.#attempts.delete(id);
    this.#attempts.set(id, attempt);
    if (this.#attempts.size > this.#limit) {
      const oldest = this.#attempts.keys().next();
      if (oldest.done !== true) this.#attempts.delete(oldest.value);
    }
    return attempt;
  }

  /** Forgets `id`: its message was settled for good. */
  forget(id: string): void {
    this.#attempts.delete(id);
  }
}
