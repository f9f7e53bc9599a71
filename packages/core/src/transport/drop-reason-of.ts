import type { DropReason } from '../contracts/transport-status.js';
import { CodecError } from '../errors/codec-error.js';
import { EnvelopeError } from '../errors/envelope-error.js';
import { TopicMismatchError } from '../errors/topic-mismatch-error.js';

/** Why a received message that failed to decode is dropped: over the size limit, routed by another topic, not an envelope, or not JSON at all. */
export function dropReasonOf(error: unknown): DropReason {
  if (error instanceof CodecError) return error.code === 'ERR_MESSAGE_TOO_LARGE' ? 'too-large' : 'malformed';
  if (error instanceof TopicMismatchError) return 'topic-mismatch';
  if (error instanceof EnvelopeError) return 'invalid';
  return 'malformed';
}
