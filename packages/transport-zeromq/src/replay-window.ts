/** A message frame as kept: the text or bytes that were sent. */
export type KeptFrame = string | Buffer;

/**
 * The last messages a producer (or the relay) sent, kept to answer gap requests: a ring of the frames
 * already encoded, at most `capacity` of them and none older than `maxAgeMs`. Keeping one costs five
 * array stores, no allocation; a request scans the ring (requests are rare, sends are not).
 */
export class ReplayWindow {
  readonly capacity: number;
  readonly #maxAgeMs: number;
  readonly #frames: (KeptFrame | undefined)[];
  readonly #publishers: string[];
  readonly #topics: string[];
  readonly #positions: Float64Array;
  readonly #times: Float64Array;
  /** Where the next frame goes; the oldest kept one is there too once the ring is full. */
  #next = 0;
  #size = 0;

  constructor(capacity: number, maxAgeMs: number) {
    this.capacity = capacity;
    this.#maxAgeMs = maxAgeMs;
    this.#frames = new Array<KeptFrame | undefined>(capacity).fill(undefined);
    this.#publishers = new Array<string>(capacity).fill('');
    this.#topics = new Array<string>(capacity).fill('');
    this.#positions = new Float64Array(capacity);
    this.#times = new Float64Array(capacity);
  }

  /** How many frames are kept (old ones included until a request or a newer frame pushes them out). */
  get size(): number {
    return this.#size;
  }

  /** Keeps the frame of message `n` of `publisher`'s stream of `topic`. */
  keep(publisher: string, topic: string, n: number, frame: KeptFrame, now = Date.now()): void {
    if (this.capacity === 0) return;
    const slot = this.#next;
    this.#frames[slot] = frame;
    this.#publishers[slot] = publisher;
    this.#topics[slot] = topic;
    this.#positions[slot] = n;
    this.#times[slot] = now;
    this.#next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.#size < this.capacity) this.#size += 1;
  }

  /**
   * The kept frames of positions `from..to` (inclusive) of one stream, in order, at most `limit` of them;
   * frames older than the maximum age are not given (and are let go).
   */
  find(publisher: string, topic: string, from: number, to: number, limit: number, now = Date.now()): KeptFrame[] {
    const found: KeptFrame[] = [];
    const oldest = now - this.#maxAgeMs;
    const start = this.#size < this.capacity ? 0 : this.#next;
    for (let index = 0; index < this.#size && found.length < limit; index += 1) {
      const slot = (start + index) % this.capacity;
      if ((this.#times[slot] as number) < oldest) {
        this.#frames[slot] = undefined;
        continue;
      }
      const n = this.#positions[slot] as number;
      if (n < from || n > to || this.#publishers[slot] !== publisher || this.#topics[slot] !== topic) continue;
      const frame = this.#frames[slot];
      if (frame !== undefined) found.push(frame);
    }
    return found;
  }
}
