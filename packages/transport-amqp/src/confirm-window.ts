/**
 * The bookkeeping of publisher confirms, free of any I/O: items wait in FIFO order until there is room
 * in the window (`limit` unconfirmed at once), are then in flight until confirmed (or refused), and go
 * back to the front of the line, in their order, when the channel they were sent on is lost.
 */
export class ConfirmWindow<T> {
  readonly limit: number;
  #waiting: T[] = [];
  #head = 0;
  readonly #inFlight = new Set<T>();

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`confirm window must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  /** Items sent and not yet confirmed. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Items waiting to be sent. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Nothing waiting, nothing in flight. */
  get idle(): boolean {
    return this.waiting === 0 && this.#inFlight.size === 0;
  }

  /** Puts an item at the end of the line. */
  enqueue(item: T): void {
    this.#waiting.push(item);
  }

  /** The next item to send, now counted in flight; `undefined` when the line is empty or the window full. */
  next(): T | undefined {
    if (this.#inFlight.size >= this.limit || this.#head >= this.#waiting.length) return undefined;
    const item = this.#waiting[this.#head] as T;
    this.#head += 1;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    this.#inFlight.add(item);
    return item;
  }

  /** The item was confirmed or refused: frees its slot. False when it was not in flight. */
  settle(item: T): boolean {
    return this.#inFlight.delete(item);
  }

  /** The channel was lost: every item in flight goes back to the front of the line, in sending order. */
  requeueInFlight(): void {
    if (this.#inFlight.size === 0) return;
    this.#waiting = [...this.#inFlight, ...this.#waiting.slice(this.#head)];
    this.#head = 0;
    this.#inFlight.clear();
  }

  /** Removes and returns every item, in flight first (used when giving up at close). */
  takeAll(): T[] {
    const all = [...this.#inFlight, ...this.#waiting.slice(this.#head)];
    this.#inFlight.clear();
    this.#waiting = [];
    this.#head = 0;
    return all;
  }
}
