import { CodecError } from '../errors/codec-error.js';
import { EnvelopeError } from '../errors/envelope-error.js';
import { describe, expect, it } from 'vitest';
import { dropReasonOf } from './drop-reason-of.js';

describe(dropReasonOf, () => {
  it('should name too-large, malformed and invalid messages', () => {
    expect(dropReasonOf(new CodecError('ERR_MESSAGE_TOO_LARGE', 'big', { size: 2, limit: 1 }))).toBe('too-large');
    expect(dropReasonOf(new CodecError('ERR_CODEC', 'bad', { size: 2 }))).toBe('malformed');
    expect(dropReasonOf(new EnvelopeError([{ path: 'id', message: 'missing' }]))).toBe('invalid');
    expect(dropReasonOf(new Error('other'))).toBe('malformed');
  });
});
