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
const STREAM_TAG = 's1';

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

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/u.test(text)) return undefined;
  return Number(text);
}

/** Parses a stream frame; `undefined` when it is not one (the message is then malformed). */
export function decodeStreamPosition(frame: Uint8Array): StreamPosition | undefined {
  if (frame.length > 128) return undefined;
  const [tag, publisher, n, seq, prevSeq, extra] = Buffer.from(frame.buffer, frame.byteOffset, frame.length).toString('latin1').split(' ');
  if (tag !== STREAM_TAG || publisher === undefined || publisher === '' || extra !== undefined) return undefined;
  const position = { publisher, n: count(n), seq: count(seq), prevSeq: count(prevSeq) };
  if (position.n === undefined || position.n < 1 || position.seq === undefined || position.prevSeq === undefined) return undefined;
  return position as StreamPosition;
}
