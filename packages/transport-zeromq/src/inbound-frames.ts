import {
  decodeEnvelope,
  dropReasonOf,
  type DropReason,
  type Envelope,
  type TopicMatcher,
} from '@statbus/core';
import { decodeStreamPosition, isControlTopic, type StreamPosition } from './wire-frames.js';

/** What one received ZeroMQ message is. */
export type InboundMessage =
  /** A control message (probe reply…): never delivered nor counted. */
  | { readonly kind: 'control'; readonly frames: readonly Buffer[] }
  /** A topic the subscription's prefixes let through but its patterns do not match. */
  | { readonly kind: 'unmatched' }
  | { readonly kind: 'dropped'; readonly reason: DropReason; readonly error: Error; readonly topic?: string; readonly position?: StreamPosition | undefined }
  | { readonly kind: 'message'; readonly envelope: Envelope; readonly topic: string; readonly position: StreamPosition | undefined };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Classifies `[topic, envelope]` or `[topic, envelope, stream]` frames. Patterns are matched on the
 * topic frame before the envelope is parsed, so unmatched messages cost no JSON parsing. Never throws.
 */
export function classifyFrames(frames: readonly Buffer[], matcher: TopicMatcher, maxMessageBytes: number): InboundMessage {
  const [topicFrame, body, stream] = frames;
  if (topicFrame !== undefined && isControlTopic(topicFrame)) return { kind: 'control', frames };
  if (topicFrame === undefined || body === undefined || frames.length > 3) {
    return { kind: 'dropped', reason: 'malformed', error: new Error(`ZeroMQ message of ${frames.length} frames; expected [topic, envelope] or [topic, envelope, stream]`) };
  }
  const topic = topicFrame.toString('utf8');
  let position: StreamPosition | undefined;
  if (stream !== undefined) {
    position = decodeStreamPosition(stream);
    if (position === undefined) {
      return { kind: 'dropped', reason: 'malformed', topic, error: new Error(`ZeroMQ message on ${JSON.stringify(topic)} has an unreadable stream frame`) };
    }
  }
  if (!matcher.test(topic)) return { kind: 'unmatched' };
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(body, { maxMessageBytes });
  } catch (error) {
    return { kind: 'dropped', reason: dropReasonOf(error), error: asError(error), topic, position };
  }
  if (envelope.topic !== topic) {
    const error = new Error(`ZeroMQ topic frame ${JSON.stringify(topic)} differs from the envelope topic ${JSON.stringify(envelope.topic)}`);
    return { kind: 'dropped', reason: 'invalid', error, topic, position };
  }
  return { kind: 'message', envelope, topic, position };
}
