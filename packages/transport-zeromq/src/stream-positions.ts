import { STREAM_TAG, type StreamPosition } from './wire-frames.js';

interface Entry {
  /** Position of the last message sent on the topic, its envelope `seq` and the one before. */
  n: number;
  seq: number;
  prevSeq: number;
  /** `<topic> s1 <publisher> `: the constant start of the topic's message frames, and its UTF-8 bytes. */
  readonly head: Buffer;
}

/** Numbers a publisher's messages per topic (see `wire-frames.ts`) and builds their frames. */
export class StreamPositions {
  readonly #publisher: string;
  readonly #topics = new Map<string, Entry>();

  constructor(publisher: string) {
    this.#publisher = publisher;
  }

  /** The position of the next message on `topic`, whose envelope has `seq`. */
  next(topic: string, seq: number): StreamPosition {
    const entry = this.#advance(topic, seq);
    return { publisher: this.#publisher, n: entry.n, seq, prevSeq: entry.prevSeq };
  }

  /**
   * The single frame of the next message on `topic`: the same bytes as
   * `encodeMessageFrame(topic, next(topic, seq), envelopeJson)`, with the constant part encoded once per
   * topic; `jsonBytes` is the UTF-8 length of `envelopeJson` (known from the size check).
   */
  frame(topic: string, seq: number, envelopeJson: string, jsonBytes: number): Buffer {
    const entry = this.#advance(topic, seq);
    const numbers = `${entry.n} ${seq} ${entry.prevSeq} `;
    const headBytes = entry.head.length + numbers.length;
    const frame = Buffer.allocUnsafe(headBytes + jsonBytes);
    entry.head.copy(frame, 0);
    frame.write(numbers, entry.head.length, 'latin1');
    frame.write(envelopeJson, headBytes, 'utf8');
    return frame;
  }

  #advance(topic: string, seq: number): Entry {
    const entry = this.#topics.get(topic);
    if (entry === undefined) {
      const created = { n: 1, seq, prevSeq: 0, head: Buffer.from(`${topic} ${STREAM_TAG} ${this.#publisher} `, 'utf8') };
      this.#topics.set(topic, created);
      return created;
    }
    entry.n += 1;
    entry.prevSeq = entry.seq;
    entry.seq = seq;
    return entry;
  }
}
