/**
 * An unbounded single-consumer queue that is async-iterable: producers `push`, one consumer iterates.
 * After `end()` the consumer receives what is buffered, then iteration finishes. Bounding is the
 * producer's job (prefetch, high-water marks), so that nothing is dropped here silently.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  #ended = false;
  #iterating = false;

  /** Items buffered and not yet taken. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an item; returns false (and drops nothing silently: the caller decides) when the queue has ended. */
  push(item: T): boolean {
    if (this.#ended) return false;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter({ value: item, done: false });
      return true;
    }
    this.#items.push(item);
    return true;
  }

  /** No more items: the consumer finishes after the buffered ones. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.size === 0 && this.#waiter !== undefined) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter({ value: undefined, done: true });
    }
  }

  /** Removes the oldest buffered item, if any (a bounded listener making room). */
  dropOldest(): void {
    if (this.size > 0) this.#take();
  }

  /** Removes and returns every buffered item (used when a consumer goes away before taking them). */
  drain(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }

  #take(): T | undefined {
    const item = this.#items[this.#head] as T;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) return Promise.resolve({ value: this.#take() as T, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterating) throw new Error('AsyncQueue can be iterated only once');
    this.#iterating = true;
    return {
      next: () => this.next(),
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
