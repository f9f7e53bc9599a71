import { CodecError, EnvelopeError } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { dropReason } from './drop-reason.js';

describe(dropReason, () => {
  it('should name too-large, malformed and invalid messages', () => {
    expect(dropReason(new CodecError('ERR_MESSAGE_TOO_LARGE', 'big', { size: 2, limit: 1 }))).toBe('too-large');
    expect(dropReason(new CodecError('ERR_CODEC', 'bad', { size: 2 }))).toBe('malformed');
    expect(dropReason(new EnvelopeError([{ path: 'id', message: 'missing' }]))).toBe('invalid');
    expect(dropReason(new Error('other'))).toBe('malformed');
  });
});
