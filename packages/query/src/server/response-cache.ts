import type { MessageQuery, MessageStore } from '@statbus/core';

interface Entry {
  readonly head: string;
  readonly body: string;
}

/**
 * Serialised answers by request key, each valid only while the store's change head is what it was when
 * the answer was computed: any write (from this process or another) moves the head and so invalidates
 * everything, and an answer is never stale. Costs one `changesHead()` per request (an O(1) read). Least
 * recently used entries go first. Identical requests arriving while their answer is being computed wait for
 * that one computation (with an asynchronous store such as MongoDB, a burst of the same query asks once).
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  /** Answers being computed, by key and head: concurrent identical requests share one computation. */
  private readonly pending = new Map<string, Promise<string>>();
  /** Moved by {@link ResponseCache.clear}: an answer computed before it is not kept. */
  private generation = 0;

  constructor(
    private readonly store: MessageStore,
    private readonly maxEntries: number,
  ) {}

  /** Forgets every answer (after a message was removed or redacted: the change head does not move then). */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.pending.clear();
  }

  /** Whether a query's answer may be cached: not when it has a sliding window (`delta` relative to now). */
  static cacheable(query: MessageQuery): boolean {
    return !(query.delta !== undefined && query.start === undefined && query.end === undefined);
  }

  /** The cached answer for `key`, or computes, caches and returns it (serialised). */
  async answer(key: string, compute: () => Promise<unknown>): Promise<string> {
    return this.answerJson(key, async () => JSON.stringify(await compute()));
  }

  /** {@link ResponseCache.answer} for an answer `compute` serialises itself. */
  async answerJson(key: string, compute: () => Promise<string>): Promise<string> {
    if (this.maxEntries === 0) return compute();
    // Taken before computing: a write during the computation makes the entry stale at once, never wrong.
    const head = await this.store.changesHead();
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.head === head) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.body;
    }
    const generation = this.generation;
    const flight = `${generation}\u0000${head}\u0000${key}`;
    const running = this.pending.get(flight);
    if (running !== undefined) return running;
    const computing = compute()
      .then((body) => {
        if (generation !== this.generation) return body;
        this.entries.delete(key);
        this.entries.set(key, { head, body });
        while (this.entries.size > this.maxEntries) {
          const oldest = this.entries.keys().next();
          if (oldest.done === true) break;
          this.entries.delete(oldest.value);
        }
        return body;
      })
      .finally(() => this.pending.delete(flight));
    this.pending.set(flight, computing);
    return computing;
  }
}
