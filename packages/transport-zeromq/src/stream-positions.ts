import { STREAM_TAG, encodeHeartbeatFrame, type StreamPosition } from './wire-frames.js';

/** A topic is beaten at each of the first this many ticks after its last message… */
export const BEATS_EVERY_TICK = 3;
/** …then at 2, 4, 8… times that many ticks, and no more after this many idle ticks (10 beats in all). */
export const LAST_BEAT_TICK = BEATS_EVERY_TICK * 2 ** 7;

/** True when a topic idle for `idle` ticks is beaten now. */
export function beatDue(idle: number): boolean {
  if (idle < 1) return false;
  if (idle <= BEATS_EVERY_TICK) return true;
  if (idle % BEATS_EVERY_TICK !== 0) return false;
  const power = idle / BEATS_EVERY_TICK;
  return (power & (power - 1)) === 0;
}

interface Entry {
  /** Position of the last message sent on the topic, its envelope `seq` and the one before. */
  n: number;
  seq: number;
  prevSeq: number;
  /** `<topic> s1 <publisher> `: the constant start of the topic's message frames, and its UTF-8 bytes. */
  readonly head: Buffer;
  readonly topic: string;
  /** How many ticks had started when the last message was sent. */
  lastTick: number;
  /** Whether the topic is in the set of topics still beaten. */
  beating: boolean;
}

/**
 * Numbers a publisher's messages per topic (see `wire-frames.ts`), builds their frames, and the
 * stream-position heartbeats of the recently active topics.
 *
 * Heartbeats run on ticks ({@link tick}, one per `stream_heartbeat_ms`): a topic is beaten at each of the
 * first {@link BEATS_EVERY_TICK} ticks that end a whole interval without a message on it (so 1–2, 2–3 and
 * 3–4 intervals after its last message; never while messages keep coming: the next message tells the
 * same), then with doubling pauses up to {@link LAST_BEAT_TICK} idle ticks, so that a
 * subscriber stalled for a while still learns of a lost tail, at a cost of ten frames per burst and topic.
 */
export class StreamPositions {
  readonly #publisher: string;
  readonly #topics = new Map<string, Entry>();
  readonly #beating = new Set<Entry>();
  #tick = 0;

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

  /** Topics still beaten. */
  get beating(): number {
    return this.#beating.size;
  }

  /** Starts the next tick; gives the heartbeat frames due now (see the class). */
  tick(): Buffer[] {
    this.#tick += 1;
    const frames: Buffer[] = [];
    for (const entry of this.#beating) {
      // Whole tick intervals without a message: one sent during the interval just ended counts as news.
      const idle = this.#tick - entry.lastTick - 1;
      if (beatDue(idle)) frames.push(this.#beat(entry));
      if (idle >= LAST_BEAT_TICK) {
        entry.beating = false;
        this.#beating.delete(entry);
      }
    }
    return frames;
  }

  /** The heartbeat frames of every topic still beaten (at close: the last word on each stream). */
  finalBeats(): Buffer[] {
    return [...this.#beating].map((entry) => this.#beat(entry));
  }

  #beat(entry: Entry): Buffer {
    return encodeHeartbeatFrame(entry.topic, { publisher: this.#publisher, n: entry.n, seq: entry.seq });
  }

  #advance(topic: string, seq: number): Entry {
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      entry = { n: 1, seq, prevSeq: 0, head: Buffer.from(`${topic} ${STREAM_TAG} ${this.#publisher} `, 'utf8'), topic, lastTick: this.#tick, beating: false };
      this.#topics.set(topic, entry);
    } else {
      entry.n += 1;
      entry.prevSeq = entry.seq;
      entry.seq = seq;
      entry.lastTick = this.#tick;
    }
    if (!entry.beating) {
      entry.beating = true;
      this.#beating.add(entry);
    }
    return entry;
  }
}
