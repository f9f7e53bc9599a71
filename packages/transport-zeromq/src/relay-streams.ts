import { LAST_BEAT_TICK, beatDue } from './stream-positions.js';
import { encodeHeartbeatFrame } from './wire-frames.js';

interface Stream {
  readonly publisher: string;
  readonly topic: string;
  n: number;
  seq: number;
  lastTick: number;
}

/**
 * The last position of every stream that passed through the relay, beaten like a publisher beats its
 * own (see `StreamPositions`): after 1, 2 and 3 idle intervals, then with doubling pauses up to
 * {@link LAST_BEAT_TICK}. So a subscriber learns where a stream ended even when its short-lived publisher
 * exited before its own heartbeats got through; streams are forgotten once their last beat is sent.
 */
export class RelayStreams {
  readonly #streams = new Map<string, Map<string, Stream>>();
  #tick = 0;
  #size = 0;

  /** Streams remembered. */
  get size(): number {
    return this.#size;
  }

  /** A message at position `n` (envelope `seq`) of `publisher`'s stream of `topic` went through. */
  passed(publisher: string, topic: string, n: number, seq: number): void {
    let topics = this.#streams.get(publisher);
    if (topics === undefined) {
      topics = new Map();
      this.#streams.set(publisher, topics);
    }
    const stream = topics.get(topic);
    if (stream === undefined) {
      topics.set(topic, { publisher, topic, n, seq, lastTick: this.#tick });
      this.#size += 1;
      return;
    }
    if (n <= stream.n) return;
    stream.n = n;
    stream.seq = seq;
    stream.lastTick = this.#tick;
  }

  /** Starts the next tick; gives the heartbeat frames due now. */
  tick(): Buffer[] {
    this.#tick += 1;
    const frames: Buffer[] = [];
    for (const [publisher, topics] of this.#streams) {
      for (const [topic, stream] of topics) {
        const idle = this.#tick - stream.lastTick - 1;
        if (beatDue(idle)) frames.push(encodeHeartbeatFrame(topic, { publisher, n: stream.n, seq: stream.seq }));
        if (idle >= LAST_BEAT_TICK) {
          topics.delete(topic);
          this.#size -= 1;
        }
      }
      if (topics.size === 0) this.#streams.delete(publisher);
    }
    return frames;
  }
}
