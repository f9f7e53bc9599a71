/**
 * What travels on the ZeroMQ sockets.
 *
 * A statbus publisher sends each message as one frame, `<topic> s1 <publisher> <n> <seq> <prevSeq> <envelope>`:
 * the topic first, so that ZeroMQ's prefix filtering works as on a topic frame (a topic holds no space), then
 * the stream position (where the message sits in its publisher's stream of that topic), then the envelope
 * JSON. ZeroMQ filters by topic prefix at the publisher, so a subscriber sees only some of a producer's `seq`
 * numbers: holes in `seq` are not losses. Holes in the per-topic counter are, because a topic is either
 * wholly filtered out or wholly sent. One frame instead of three: each frame costs a message part to send,
 * receive and wrap in a buffer.
 *
 * A publisher also sends, for each topic it published on recently, a stream-position heartbeat,
 * `<topic> h1 <publisher> <n> <seq>`: the position of the last message it sent on the topic. It starts with
 * the topic so that prefix filtering and the relay carry it exactly like the topic's messages, and behind
 * them on the same pipe; a subscriber that sees a heartbeat beyond the last message it received of that
 * stream learns that the stream's tail was lost (see `gap-tracker.ts`).
 *
 * Also accepted: `[topic, envelope]` (what any fedmsg-style producer sends) and `[topic, envelope, stream]`
 * (statbus publishers before the single frame).
 *
 * Control messages have a topic starting with byte 0xff, which no UTF-8 topic can hold.
 */

/** First byte of every control topic. */
export const CONTROL_BYTE = 0xff;
/** First byte of a subscription message on XPUB/XSUB sockets. */
export const SUBSCRIBE_BYTE = 1;

const PROBE_TAG = Buffer.from('statbus.probe.', 'latin1');
/** First field of a stream frame (its format version). */
export const STREAM_TAG = 's1';

/** First field of a stream-position heartbeat frame (its format version). */
export const HEARTBEAT_TAG = 'h1';

/** Where a message sits in the stream of one topic of one statbus publisher. */
export interface StreamPosition {
  /** Random id of the publishing transport (one per process-level publisher socket). */
  readonly publisher: string;
  /** 1 for the first message this publisher sent on the topic, then +1 per message. */
  readonly n: number;
  /** The envelope `seq` of this message and of the previous one on the topic (0 when none). */
  readonly seq: number;
  readonly prevSeq: number;
}

/** The topic of the readiness probe of subscription `id`: 0xff, `statbus.probe.`, then the id. */
export function probeTopic(id: string): Buffer {
  return Buffer.concat([Buffer.from([CONTROL_BYTE]), PROBE_TAG, Buffer.from(id, 'latin1')]);
}

/** True when a topic frame is a control topic (never delivered, never counted). */
export function isControlTopic(frame: Uint8Array): boolean {
  return frame.length > 0 && frame[0] === CONTROL_BYTE;
}

/** True when `prefix` (a subscription body, without its leading 1) is a probe topic. */
export function isProbeTopic(prefix: Uint8Array): boolean {
  if (prefix.length <= PROBE_TAG.length || prefix[0] !== CONTROL_BYTE) return false;
  return Buffer.from(prefix.buffer, prefix.byteOffset + 1, PROBE_TAG.length).equals(PROBE_TAG);
}

/** The stream frame of a message. */
export function encodeStreamPosition(position: StreamPosition): Buffer {
  return Buffer.from(`${STREAM_TAG} ${position.publisher} ${position.n} ${position.seq} ${position.prevSeq}`, 'latin1');
}

const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MAX_DIGITS = 15;

/** How many recent texts a {@link RepeatedText} keeps: the topics of a busy mix, the publishers of a relay. */
const REPEATED_TEXTS = 16;

/**
 * The text of a field that repeats from message to message (a topic, a publisher id): the last few read are
 * kept with their bytes, and when the next frame holds the same bytes as one of them its string is given
 * again. That spares making a string per message and, since a string keeps its hash, the hashing of every
 * map lookup by it — also when messages of several topics alternate.
 */
export class RepeatedText {
  readonly #bytes: Uint8Array[] = [];
  readonly #texts: string[] = [];
  #next = 0;
  readonly #encoding: 'latin1' | 'utf8';

  constructor(encoding: 'latin1' | 'utf8') {
    this.#encoding = encoding;
  }

  /** The text of `frame[start, end)` in this encoding. */
  read(frame: Uint8Array, start: number, end: number): string {
    const length = end - start;
    for (let entry = 0; entry < this.#bytes.length; entry += 1) {
      const known = this.#bytes[entry] as Uint8Array;
      if (known.length !== length) continue;
      let index = 0;
      while (index < length && frame[start + index] === known[index]) index += 1;
      if (index === length) return this.#texts[entry] as string;
    }
    const view = Buffer.from(frame.buffer, frame.byteOffset + start, length);
    const text = view.toString(this.#encoding);
    const slot = this.#next;
    this.#next = (slot + 1) % REPEATED_TEXTS;
    this.#bytes[slot] = Uint8Array.prototype.slice.call(view);
    this.#texts[slot] = text;
    return text;
  }
}

const lastPublisher = new RepeatedText('latin1');
const lastTopic = new RepeatedText('utf8');

/**
 * Reads a decimal counter of 1 to 15 digits in `frame` from `start` up to the next space or `end`;
 * returns the index after it, or -1. The value is left in `parsed`.
 */
function readCount(frame: Uint8Array, start: number, end: number, parsed: { value: number }): number {
  let index = start;
  let value = 0;
  while (index < end && frame[index] !== SPACE) {
    const byte = frame[index] as number;
    if (byte < DIGIT_0 || byte > DIGIT_9 || index - start === MAX_DIGITS) return -1;
    value = value * 10 + (byte - DIGIT_0);
    index += 1;
  }
  if (index === start) return -1;
  parsed.value = value;
  return index;
}

/**
 * Parses a stream position (`s1 <publisher> <n> <seq> <prevSeq>`, single spaces) in `frame[start, end)`;
 * `undefined` when it is not one. Reads the bytes in place: this runs for every message.
 */
export function decodeStreamPosition(frame: Uint8Array, start = 0, end = frame.length): StreamPosition | undefined {
  const length = end;
  if (end - start > 128 || end - start < 3 || frame[start] !== 0x73 /* s */ || frame[start + 1] !== 0x31 /* 1 */ || frame[start + 2] !== SPACE) return undefined;
  const from = start + 3;
  let stop = from;
  while (stop < length && frame[stop] !== SPACE) stop += 1;
  if (stop === from || stop === length) return undefined;
  const publisher = lastPublisher.read(frame, from, stop);
  const parsed = { value: 0 };
  let index = readCount(frame, stop + 1, length, parsed);
  const n = parsed.value;
  if (index < 0 || index === length || n < 1) return undefined;
  index = readCount(frame, index + 1, length, parsed);
  const seq = parsed.value;
  if (index < 0 || index === length) return undefined;
  index = readCount(frame, index + 1, length, parsed);
  if (index !== length) return undefined;
  return { publisher, n, seq, prevSeq: parsed.value };
}

/** A statbus data message read from its single frame. */
export interface MessageFrame {
  readonly topic: string;
  readonly position: StreamPosition;
  /** Where the envelope bytes start in the frame (they run to its end). */
  readonly envelopeStart: number;
}

/** The single frame of a statbus data message: `<topic> s1 <publisher> <n> <seq> <prevSeq> ` then the envelope JSON. */
export function encodeMessageFrame(topic: string, position: StreamPosition, envelopeJson: string): Buffer {
  return Buffer.from(`${topic} ${STREAM_TAG} ${position.publisher} ${position.n} ${position.seq} ${position.prevSeq} ${envelopeJson}`, 'utf8');
}

/** The topic at the start of a single-frame message (up to its first space), if there is one. */
export function frameTopic(frame: Buffer): string | undefined {
  const space = frame.indexOf(SPACE);
  return space > 0 ? frame.toString('utf8', 0, space) : undefined;
}

/**
 * Splits a single-frame data message into topic, stream position and envelope bytes; `undefined` when the
 * frame has no topic, no readable position, or nothing that can start a JSON object after it.
 */
export function decodeMessageFrame(frame: Buffer): MessageFrame | undefined {
  const space = frame.indexOf(SPACE);
  if (space <= 0) return undefined;
  const brace = frame.indexOf(OPEN_BRACE, space);
  if (brace < 0 || frame[brace - 1] !== SPACE) return undefined;
  const position = decodeStreamPosition(frame, space + 1, brace - 1);
  if (position === undefined) return undefined;
  return { topic: lastTopic.read(frame, 0, space), position, envelopeStart: brace };
}

/** The last position a publisher sent on a topic, as a heartbeat tells it. */
export interface BeatPosition {
  readonly publisher: string;
  /** Stream position `n` of the last message sent on the topic (at least 1). */
  readonly n: number;
  /** Its envelope `seq`. */
  readonly seq: number;
}

/** A stream-position heartbeat read from its frame. */
export interface HeartbeatFrame {
  readonly topic: string;
  readonly beat: BeatPosition;
}

/** The frame of a stream-position heartbeat: `<topic> h1 <publisher> <n> <seq>`. */
export function encodeHeartbeatFrame(topic: string, beat: BeatPosition): Buffer {
  return Buffer.from(`${topic} ${HEARTBEAT_TAG} ${beat.publisher} ${beat.n} ${beat.seq}`, 'utf8');
}

/**
 * Reads a stream-position heartbeat (single spaces, nothing after `seq`); `undefined` when the frame is not
 * one. Only tried on frames that are not data messages, so it costs the data path nothing.
 */
export function decodeHeartbeatFrame(frame: Buffer): HeartbeatFrame | undefined {
  const space = frame.indexOf(SPACE);
  const end = frame.length;
  if (space <= 0 || end - space > 128) return undefined;
  const tag = space + 1;
  if (frame[tag] !== 0x68 /* h */ || frame[tag + 1] !== 0x31 /* 1 */ || frame[tag + 2] !== SPACE) return undefined;
  const from = tag + 3;
  let stop = from;
  while (stop < end && frame[stop] !== SPACE) stop += 1;
  if (stop === from || stop === end) return undefined;
  const parsed = { value: 0 };
  let index = readCount(frame, stop + 1, end, parsed);
  const n = parsed.value;
  if (index < 0 || index === end || n < 1) return undefined;
  index = readCount(frame, index + 1, end, parsed);
  if (index !== end) return undefined;
  return { topic: frame.toString('utf8', 0, space), beat: { publisher: frame.toString('latin1', from, stop), n, seq: parsed.value } };
}

/** True when a frame looks like a heartbeat (`<topic> h1 …`), without reading it further. */
export function isHeartbeatFrame(frame: Buffer): boolean {
  const space = frame.indexOf(SPACE);
  return space > 0 && frame[space + 1] === 0x68 /* h */ && frame[space + 2] === 0x31 /* 1 */ && frame[space + 3] === SPACE;
}
