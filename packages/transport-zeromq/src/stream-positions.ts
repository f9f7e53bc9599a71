import { DEFAULT_MAX_MESSAGE_BYTES, assertMessageSize, envelopeJsonParts, type CodecOptions, type Envelope } from '@statbus/core';
import { STREAM_TAG, encodeHeartbeatFrame, type StreamPosition } from './wire-frames.js';

/** The most bytes UTF-8 takes for one UTF-16 code unit. */
const UTF8_BYTES_PER_UNIT = 3;

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
  /** `<topic> s1 <publisher> `: the constant start of the topic's message frames. */
  readonly head: string;
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
  /** The position `n` of the frame {@link frame} gave last. */
  lastN = 0;

  constructor(publisher: string) {
    this.#publisher = publisher;
  }

  /** The position of the next message on `topic`, whose envelope has `seq`. */
  next(topic: string, seq: number): StreamPosition {
    const entry = this.#advance(this.#entry(topic), seq);
    return { publisher: this.#publisher, n: entry.n, seq, prevSeq: entry.prevSeq };
  }

  /**
   * The single frame of `envelope`, the next message on its topic, as text: its UTF-8 is the bytes of
   * `encodeMessageFrame(topic, next(topic, seq), envelopeJson(envelope))`. Nothing advances when the envelope
   * is refused.
   *
   * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when the envelope is over `options.maxMessageBytes`.
   */
  frame(envelope: Envelope, options: CodecOptions): string {
    return this.framePieces(envelope, options).join('');
  }

  /**
   * {@link frame} as consecutive pieces (the frame's head, then the envelope's JSON in parts), so that a batch
   * can write their UTF-8 without first joining them.
   *
   * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when the envelope is over `options.maxMessageBytes`.
   */
  framePieces(envelope: Envelope, options: CodecOptions): string[] {
    const { topic, seq } = envelope;
    const entry = this.#entry(topic);
    const parts = envelopeJsonParts(envelope);
    let length = 0;
    for (const part of parts) length += part.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only an envelope that might be over the limit is measured.
    if (length * UTF8_BYTES_PER_UNIT > (options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)) {
      let size = 0;
      for (const part of parts) size += Buffer.byteLength(part, 'utf8');
      assertMessageSize(size, options);
    }
    const pieces = [`${entry.head}${entry.n + 1} ${seq} ${entry.n === 0 ? 0 : entry.seq} `, ...parts];
    this.#advance(entry, seq);
    this.lastN = entry.n;
    return pieces;
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

  /** The last position sent on each topic still beaten (the recently active ones). */
  lastSent(): { topic: string; n: number }[] {
    return [...this.#beating].map((entry) => ({ topic: entry.topic, n: entry.n }));
  }

  /** The heartbeat frames of every topic still beaten (at close: the last word on each stream). */
  finalBeats(): Buffer[] {
    return [...this.#beating].map((entry) => this.#beat(entry));
  }

  #beat(entry: Entry): Buffer {
    return encodeHeartbeatFrame(entry.topic, { publisher: this.#publisher, n: entry.n, seq: entry.seq });
  }

  #entry(topic: string): Entry {
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      // n 0: no message sent on the topic yet (an entry whose first frame failed to encode stays so).
      entry = { n: 0, seq: 0, prevSeq: 0, head: `${topic} ${STREAM_TAG} ${this.#publisher} `, topic, lastTick: this.#tick, beating: false };
      this.#topics.set(topic, entry);
    }
    return entry;
  }

  #advance(entry: Entry, seq: number): Entry {
    entry.prevSeq = entry.n === 0 ? 0 : entry.seq;
    entry.n += 1;
    entry.seq = seq;
    entry.lastTick = this.#tick;
    if (!entry.beating) {
      entry.beating = true;
      this.#beating.add(entry);
    }
    return entry;
  }
}
