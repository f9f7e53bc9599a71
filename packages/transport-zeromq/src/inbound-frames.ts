import {
  EnvelopeError,
  TopicMismatchError,
  decodeEnvelope,
  dropReasonOf,
  type CodecOptions,
  type DropReason,
  type Envelope,
  type TopicMatcher,
} from '@statbus/core';
import { decodeFedmsg } from './fedmsg-frames.js';
import { decodeHeartbeatFrame, decodeMessageFrame, decodeStreamPosition, frameTopic, isControlTopic, type BeatPosition, type StreamPosition } from './wire-frames.js';

/** What one received ZeroMQ message is. */
export type InboundMessage =
  /** A control message (probe reply…): never delivered nor counted. */
  | { readonly kind: 'control'; readonly frames: readonly Buffer[] }
  /** A stream-position heartbeat on a topic the patterns match: never delivered, only checked for a lost tail. */
  | { readonly kind: 'beat'; readonly topic: string; readonly beat: BeatPosition }
  /** A topic the subscription's prefixes let through but its patterns do not match. */
  | { readonly kind: 'unmatched' }
  | { readonly kind: 'dropped'; readonly reason: DropReason; readonly error: Error; readonly topic?: string; readonly position?: StreamPosition | undefined }
  /** `unnumbered`: a fedmsg message whose `i` is not known to number one producer instance (no gap tracking). */
  | { readonly kind: 'message'; readonly envelope: Envelope; readonly topic: string; readonly position: StreamPosition | undefined; readonly unnumbered?: true };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

let lastOptions: CodecOptions = {};

// The same options object while the limit stays the same (it is one per transport): nothing made per message.
function codecOptions(maxMessageBytes: number): CodecOptions {
  if (lastOptions.maxMessageBytes !== maxMessageBytes) lastOptions = { maxMessageBytes };
  return lastOptions;
}

/** Decodes the envelope in `bytes` from `start`. */
function decode(topic: string, bytes: Buffer, start: number, position: StreamPosition | undefined, maxMessageBytes: number): InboundMessage {
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(bytes, codecOptions(maxMessageBytes), start);
  } catch (error) {
    return { kind: 'dropped', reason: dropReasonOf(error), error: asError(error), topic, position };
  }
  if (envelope.topic !== topic) {
    return { kind: 'dropped', reason: 'topic-mismatch', error: new TopicMismatchError('ZeroMQ', topic, envelope.topic), topic, position };
  }
  return { kind: 'message', envelope, topic, position };
}

/**
 * Classifies one statbus single frame (a message alone, or one taken out of a batch): a data message or a
 * heartbeat. Never throws.
 */
export function classifyFrame(frame: Buffer, matcher: TopicMatcher, maxMessageBytes: number): InboundMessage {
  const message = decodeMessageFrame(frame);
  if (message === undefined) {
    const heartbeat = decodeHeartbeatFrame(frame);
    if (heartbeat !== undefined) return matcher.test(heartbeat.topic) ? { kind: 'beat', ...heartbeat } : { kind: 'unmatched' };
    const topic = frameTopic(frame);
    const error = new Error(`ZeroMQ single-frame message${topic === undefined ? '' : ` on ${JSON.stringify(topic)}`} is neither <topic> <stream position> <envelope> nor a stream heartbeat`);
    return { kind: 'dropped', reason: 'malformed', error, ...(topic !== undefined && { topic }) };
  }
  if (!matcher.test(message.topic)) return { kind: 'unmatched' };
  return decode(message.topic, frame, message.envelopeStart, message.position, maxMessageBytes);
}

/**
 * Classifies a received message: a statbus single frame (message or heartbeat), `[topic, envelope]` or `[topic, envelope,
 * stream]` (see `wire-frames.ts`). Patterns are matched on the topic before the envelope is parsed, so
 * unmatched messages cost no JSON parsing. Never throws.
 */
export function classifyFrames(frames: readonly Buffer[], matcher: TopicMatcher, maxMessageBytes: number): InboundMessage {
  const [first, body, stream] = frames;
  if (first !== undefined && isControlTopic(first)) return { kind: 'control', frames };
  if (frames.length === 1 && first !== undefined) return classifyFrame(first, matcher, maxMessageBytes);
  if (first === undefined || body === undefined || frames.length > 3) {
    return { kind: 'dropped', reason: 'malformed', error: new Error(`ZeroMQ message of ${frames.length} frames; expected one statbus frame, [topic, envelope] or [topic, envelope, stream]`) };
  }
  const topic = first.toString('utf8');
  let position: StreamPosition | undefined;
  if (stream !== undefined) {
    position = decodeStreamPosition(stream);
    if (position === undefined) {
      return { kind: 'dropped', reason: 'malformed', topic, error: new Error(`ZeroMQ message on ${JSON.stringify(topic)} has an unreadable stream frame`) };
    }
  }
  if (!matcher.test(topic)) return { kind: 'unmatched' };
  const message = decode(topic, body, 0, position, maxMessageBytes);
  if (message.kind !== 'dropped' || frames.length !== 2 || message.reason === 'too-large') return message;
  return decodeFedmsgFrames(topic, body, maxMessageBytes, message);
}

/**
 * `[topic, json]` that is not a statbus envelope: fedmsg's format, else a message in neither format. Tried
 * only after the envelope failed, so statbus's own messages pay nothing for it.
 */
function decodeFedmsgFrames(topic: string, body: Buffer, maxMessageBytes: number, asEnvelope: Extract<InboundMessage, { kind: 'dropped' }>): InboundMessage {
  try {
    const { envelope, numbered } = decodeFedmsg(topic, body, maxMessageBytes);
    return { kind: 'message', envelope, topic, position: undefined, ...(numbered ? {} : { unnumbered: true as const }) };
  } catch (error) {
    const neither = `ZeroMQ message on ${JSON.stringify(topic)} is neither a statbus envelope nor a fedmsg message`;
    if (error instanceof EnvelopeError && error.issues[0]?.path !== '(fedmsg)') {
      return { kind: 'dropped', reason: 'invalid', topic, error: new EnvelopeError([{ path: '(fedmsg)', message: 'a fedmsg message with bad fields' }, ...error.issues]) };
    }
    return { kind: 'dropped', reason: asEnvelope.reason, topic, error: new Error(`${neither}: ${asEnvelope.error.message}`, { cause: asEnvelope.error }) };
  }
}
