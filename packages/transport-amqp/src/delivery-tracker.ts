/** Default number of message ids a {@link DeliveryTracker} remembers. */
export const DEFAULT_TRACKED_MESSAGES = 10_000;

/**
 * Counts deliveries per message id where the broker does not (classic queues have only a `redelivered`
 * flag), so that a message failing again and again is rejected for good after `max_deliveries` instead
 * of looping. Remembers at most `capacity` messages, forgetting the oldest first. The count is this
 * process's own: competing consumers in other processes keep theirs.
 */
export class DeliveryTracker {
  readonly #counts = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity: number = DEFAULT_TRACKED_MESSAGES) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#counts.size;
  }

  /** Records one more delivery of `id` and returns its count, this one included. */
  delivered(id: string, redelivered: boolean): number {
    const seen = this.#counts.get(id);
    const count = seen === undefined ? (redelivered ? 2 : 1) : seen + 1;
    if (seen === undefined && this.#counts.size >= this.#capacity) {
      const oldest = this.#counts.keys().next();
      if (oldest.done !== true) this.#counts.delete(oldest.value);
    }
    this.#counts.set(id, count);
    return count;
  }

  /** The message is settled for good (acked or rejected): forget it. */
  forget(id: string): void {
    this.#counts.delete(id);
  }
}
