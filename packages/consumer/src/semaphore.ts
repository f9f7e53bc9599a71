/** Counts permits; `acquire` waits for one. Waiters are served in order. */
export class Semaphore {
  readonly #limit: number;
  readonly #waiters: (() => void)[] = [];
  #used = 0;

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /** Permits held. */
  get used(): number {
    return this.#used;
  }

  /** Resolves when a permit is held; release it with {@link release}. */
  acquire(): Promise<void> {
    if (this.#used < this.#limit) {
      this.#used += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  /** Gives a permit back, handing it to the oldest waiter if any. */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#used = Math.max(0, this.#used - 1);
  }
}
