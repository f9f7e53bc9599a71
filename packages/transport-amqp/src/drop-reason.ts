import { CodecError, EnvelopeError, type DropReason } from '@statbus/core';

/** Why a message that could not be decoded is dropped: over the size limit, not JSON, or not an envelope. */
export function dropReason(error: unknown): DropReason {
  if (error instanceof CodecError) return error.code === 'ERR_MESSAGE_TOO_LARGE' ? 'too-large' : 'malformed';
  if (error instanceof EnvelopeError) return 'invalid';
  return 'malformed';
}
