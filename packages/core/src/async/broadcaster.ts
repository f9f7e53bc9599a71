import { AsyncQueue } from './async-queue.js';

/** Default number of events kept for a listener that does not read, before the oldest are dropped. */
export const DEFAULT_BROADCAST_BACKLOG = 1000;

/**
 * Fans events out to any number of async iterators, each created by `subscribe()` and receiving events
 * from then on. A listener that stops reading keeps only its last `backlog` events, so an unread status
 * stream never grows without bound. `close()` ends every iterator after its buffered events.
 */
export class Broadcaster<T> {
  readonly #listeners = new Set<AsyncQueue<T>>();
  readonly #backlog: number;
  #closed = false;

  constructor(backlog: number = DEFAULT_BROADCAST_BACKLOG) {
    this.#backlog = backlog;
  }

  get closed(): boolean {
    return this.#closed;
  }

  publish(event: T): void {
    if (this.#closed) return;
    for (const queue of this.#listeners) {
      if (queue.size >= this.#backlog) queue.dropOldest();
      queue.push(event);
    }
  }

  /** A new iterable of the events published from now on. */
  subscribe(): AsyncIterable<T> {
    const queue = new AsyncQueue<T>();
    if (this.#closed) {
      queue.end();
      return queue;
    }
    this.#listeners.add(queue);
    const listeners = this.#listeners;
    return {
      [Symbol.asyncIterator]: () => {
        const iterator = queue[Symbol.asyncIterator]();
        return {
          next: () => iterator.next(),
          return: () => {
            listeners.delete(queue);
            return iterator.return?.() ?? Promise.resolve({ value: undefined, done: true });
          },
        };
      },
    };
  }

  /** Ends every listener (after what they have buffered). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const queue of this.#listeners) queue.end();
    this.#listeners.clear();
  }
}
