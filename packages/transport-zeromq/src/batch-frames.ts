import { CodecError } from '@statbus/core';

/**
 * A batch: several statbus data messages in one ZeroMQ message, `<head> b1 <count>` then, for each message,
 * a newline and its single frame (`<topic> s1 <publisher> <n> <seq> <prevSeq> <envelope>`, see
 * `wire-frames.ts`), byte for byte as it would travel alone.
 *
 * A newline can separate them because none of the parts of a single frame can hold one: a topic word holds no
 * whitespace, a publisher id is hex, and JSON text escapes control characters inside strings and needs no
 * newline between tokens. So reading a batch is a native search for each newline, and each message is a view
 * of the received buffer: kept as is in a replay window, answered as is to a gap request.
 *
 * `<head>` is the topic of the first message. ZeroMQ's SUB filtering only sees that head, so a publisher puts
 * together only messages whose topics every live subscription prefix either matches all or matches none of
 * (see `SubscriberPrefixes`): then the subscribers that get the batch are exactly those that wanted one of
 * its messages, and the exact pattern match still happens in the client, per message.
 */
export const BATCH_TAG = 'b1';

const SPACE = 0x20;
const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** The most messages a batch header may announce (far more than any publisher puts in one). */
export const MAX_BATCH_COUNT = 100_000;

/** The first line of a batch of `count` messages whose first message is on `head`: `<head> b1 <count>`. */
export function batchHeader(head: string, count: number): string {
  return `${head} ${BATCH_TAG} ${count}`;
}

/** The text of a batch of message frames given as text (what a publisher sends: see `StreamPositions.frame`). */
export function encodeBatchText(head: string, frames: readonly string[]): string {
  return `${batchHeader(head, frames.length)}\n${frames.join('\n')}`;
}

/** The bytes of a batch of message frames given as bytes (what the relay re-batches from what it received). */
export function encodeBatchBytes(head: string, frames: readonly (Buffer | string)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(batchHeader(head, frames.length), 'utf8')];
  const newline = Buffer.from('\n');
  for (const frame of frames) parts.push(newline, typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame);
  return Buffer.concat(parts);
}

/**
 * True when `frame` is laid out as a batch (`<head> b1 `): cheap enough to ask of every single-frame message,
 * and false for every single frame (`<topic> s1 …`, `<topic> h1 …`).
 */
export function isBatchFrame(frame: Uint8Array): boolean {
  const space = frame.indexOf(SPACE);
  return space > 0 && frame[space + 1] === 0x62 /* b */ && frame[space + 2] === 0x31 /* 1 */ && frame[space + 3] === SPACE;
}

/** The head (routing topic) of a frame laid out as a batch. */
export function batchHead(frame: Buffer): string {
  return frame.toString('utf8', 0, Math.max(frame.indexOf(SPACE), 0));
}

function refuse(frame: Uint8Array, why: string): CodecError {
  return new CodecError('ERR_CODEC', `ZeroMQ batch frame refused: ${why}`, { size: frame.length });
}

/**
 * Splits a batch into the frames of its messages, each a view of `frame` (no copy), in order.
 *
 * @returns the frames, or a {@link CodecError} (`ERR_CODEC`) naming what is wrong when `frame` is not a
 *   well-formed batch: no `b1` tag, an unreadable count, fewer or more messages than announced, an empty one.
 *   Never throws: whatever arrives on a socket is data.
 */
export function splitBatchFrame(frame: Buffer): Buffer[] | CodecError {
  if (!isBatchFrame(frame)) return refuse(frame, 'no "<head> b1 <count>" header');
  const countStart = frame.indexOf(SPACE) + 4;
  let index = countStart;
  let count = 0;
  while (index < frame.length && frame[index] !== NEWLINE) {
    const byte = frame[index] as number;
    if (byte < DIGIT_0 || byte > DIGIT_9 || index - countStart >= 6) return refuse(frame, 'the count is not a number of 1 to 6 digits');
    count = count * 10 + (byte - DIGIT_0);
    index += 1;
  }
  if (index === countStart || index === frame.length) return refuse(frame, 'the header has no count or nothing follows it');
  if (count < 1 || count > MAX_BATCH_COUNT) return refuse(frame, `a count of ${count}`);
  const frames: Buffer[] = [];
  let start = index + 1;
  while (frames.length < count) {
    let end = frame.indexOf(NEWLINE, start);
    if (end < 0) end = frame.length;
    if (end === start) return refuse(frame, `message ${frames.length + 1} of ${count} is empty`);
    frames.push(frame.subarray(start, end));
    start = end + 1;
    if (end === frame.length) break;
  }
  if (frames.length !== count || start <= frame.length) {
    return refuse(frame, `${count} messages announced, ${frames.length === count ? 'more' : frames.length} found`);
  }
  return frames;
}
