import type { StreamPosition } from './wire-frames.js';

interface Last {
  n: number;
  seq: number;
}

/** Numbers a publisher's messages per topic (see `wire-frames.ts`). */
export class StreamPositions {
  readonly #publisher: string;
  readonly #topics = new Map<string, Last>();

  constructor(publisher: string) {
    this.#publisher = publisher;
  }

  /** The position of the next message on `topic`, whose envelope has `seq`. */
  next(topic: string, seq: number): StreamPosition {
    const last = this.#topics.get(topic);
    if (last === undefined) {
      this.#topics.set(topic, { n: 1, seq });
      return { publisher: this.#publisher, n: 1, seq, prevSeq: 0 };
    }
    const position = { publisher: this.#publisher, n: last.n + 1, seq, prevSeq: last.seq };
    last.n = position.n;
    last.seq = seq;
    return position;
  }
}
