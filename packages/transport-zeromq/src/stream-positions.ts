import { STREAM_TAG, type StreamPosition } from './wire-frames.js';

interface Entry {
  /** Position of the last message sent on the topic, its envelope `seq` and the one before. */
  n: number;
  seq: number;
  prevSeq: number;
  /** The topic frame, encoded once per topic. */
  readonly frame: Buffer;
}

/** Numbers a publisher's messages per topic (see `wire-frames.ts`) and builds their frames. */
export class StreamPositions {
  readonly #publisher: string;
  /** `s1 <publisher> `: the constant start of every stream frame of this publisher. */
  readonly #streamHead: string;
  readonly #topics = new Map<string, Entry>();

  constructor(publisher: string) {
    this.#publisher = publisher;
    this.#streamHead = `${STREAM_TAG} ${publisher} `;
  }

  /** The position of the next message on `topic`, whose envelope has `seq`. */
  next(topic: string, seq: number): StreamPosition {
    const entry = this.#advance(topic, seq);
    return { publisher: this.#publisher, n: entry.n, seq, prevSeq: entry.prevSeq };
  }

  /**
   * The `[topic, envelope, stream]` frames of the next message on `topic`: the same bytes as
   * `[Buffer.from(topic), bytes, encodeStreamPosition(next(topic, seq))]`, without re-encoding the topic.
   */
  frames(topic: string, seq: number, bytes: Buffer): Buffer[] {
    const entry = this.#advance(topic, seq);
    return [entry.frame, bytes, Buffer.from(`${this.#streamHead}${entry.n} ${seq} ${entry.prevSeq}`, 'latin1')];
  }

  #advance(topic: string, seq: number): Entry {
    const entry = this.#topics.get(topic);
    if (entry === undefined) {
      const created = { n: 1, seq, prevSeq: 0, frame: Buffer.from(topic, 'utf8') };
      this.#topics.set(topic, created);
      return created;
    }
    entry.n += 1;
    entry.prevSeq = entry.seq;
    entry.seq = seq;
    return entry;
  }
}
