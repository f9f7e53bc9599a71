/**
 * What travels on the ZeroMQ sockets besides the envelope bytes.
 *
 * A data message is `[topic, envelope]` (what any fedmsg-style producer sends) or, from a statbus
 * publisher, `[topic, envelope, stream]` where `stream` says where the message sits in its publisher's
 * stream of that topic. ZeroMQ filters by topic prefix at the publisher, so a subscriber sees only some
 * of a producer's `seq` numbers: holes in `seq` are not losses. Holes in the per-topic counter are,
 * because a topic is either wholly filtered out or wholly sent.
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
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MAX_DIGITS = 15;

/**
 * Reads a decimal counter of 1 to 15 digits in `frame` from `start` up to the next space or the end;
 * returns the index after it, or -1. The value is left in `parsed`.
 */
function readCount(frame: Uint8Array, start: number, parsed: { value: number }): number {
  let index = start;
  let value = 0;
  while (index < frame.length && frame[index] !== SPACE) {
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
 * Parses a stream frame (`s1 <publisher> <n> <seq> <prevSeq>`, single spaces); `undefined` when it is
 * not one (the message is then malformed). Reads the bytes in place: this runs for every message.
 */
export function decodeStreamPosition(frame: Uint8Array): StreamPosition | undefined {
  const length = frame.length;
  if (length > 128 || length < 3 || frame[0] !== 0x73 /* s */ || frame[1] !== 0x31 /* 1 */ || frame[2] !== SPACE) return undefined;
  let end = 3;
  while (end < length && frame[end] !== SPACE) end += 1;
  if (end === 3 || end === length) return undefined;
  const publisher = Buffer.from(frame.buffer, frame.byteOffset + 3, end - 3).toString('latin1');
  const parsed = { value: 0 };
  let index = readCount(frame, end + 1, parsed);
  const n = parsed.value;
  if (index < 0 || index === length || n < 1) return undefined;
  index = readCount(frame, index + 1, parsed);
  const seq = parsed.value;
  if (index < 0 || index === length) return undefined;
  index = readCount(frame, index + 1, parsed);
  if (index !== length) return undefined;
  return { publisher, n, seq, prevSeq: parsed.value };
}
