import type { DropReason } from '../contracts/transport-status.js';
import { CodecError } from '../errors/codec-error.js';
import { EnvelopeError } from '../errors/envelope-error.js';

/** Why a received message that failed to decode is dropped: over the size limit, not an envelope, or not JSON at all. */
export function dropReasonOf(error: unknown): DropReason {
  if (error instanceof CodecError) return error.code === 'ERR_MESSAGE_TOO_LARGE' ? 'too-large' : 'malformed';
  if (error instanceof EnvelopeError) return 'invalid';
  return 'malformed';
}
