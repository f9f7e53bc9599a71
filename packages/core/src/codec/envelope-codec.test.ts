import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors/codec-error.js';
import { EnvelopeError } from '../errors/envelope-error.js';
import { createEnvelope } from '../envelope/create-envelope.js';
import { canonicalJson, signingBytes } from './canonical-json.js';
import { decodeEnvelope, encodeEnvelope } from './envelope-codec.js';

const producer = { name: 'copr', host: 'copr-be', pid: 7, instance: 'i-9' };
const envelope = createEnvelope({ topic: 'org.statbus.dev.copr.build.end', body: { build: 1, owner: 'ałice ✓' }, producer, seq: 1 });

describe(encodeEnvelope, () => {
  it('should round-trip through decodeEnvelope', () => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('should give the same bytes for the same envelope', () => {
    expect(encodeEnvelope({ ...envelope }).equals(encodeEnvelope(envelope))).toBe(true);
  });

  describe('when the message is over the limit', () => {
    it('should throw ERR_MESSAGE_TOO_LARGE with size and limit', () => {
      const big = createEnvelope({ topic: envelope.topic, body: { blob: 'x'.repeat(5000) }, producer, seq: 2 });
      expect(() => encodeEnvelope(big, { maxMessageBytes: 4096 })).toThrow(
        expect.objectContaining({ code: 'ERR_MESSAGE_TOO_LARGE', limit: 4096 }) as Error,
      );
    });
  });
});

describe(decodeEnvelope, () => {
  it('should refuse bytes that are not JSON with ERR_CODEC', () => {
    const error = (() => {
      try {
        decodeEnvelope(Buffer.from('not json at all'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe('ERR_CODEC');
    expect((error as CodecError).message).toMatch(/not UTF-8 JSON \(starts with "not json at all"\)/);
  });

  it('should refuse bytes that are not UTF-8', () => {
    expect(() => decodeEnvelope(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toThrow(CodecError);
  });

  it('should check the size before parsing', () => {
    expect(() => decodeEnvelope(Buffer.alloc(2048, 0x20), { maxMessageBytes: 1024 })).toThrow(/over the limit of 1024 bytes/);
  });

  it('should refuse JSON that is not an envelope with an EnvelopeError', () => {
    expect(() => decodeEnvelope(Buffer.from('{"id":"x"}'))).toThrow(EnvelopeError);
    expect(() => decodeEnvelope(Buffer.from('[1,2]'))).toThrow(EnvelopeError);
  });
});

describe(canonicalJson, () => {
  it('should sort keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

describe(signingBytes, () => {
  it('should ignore the signature and key order', () => {
    const reordered = Object.fromEntries(Object.entries(envelope).reverse()) as unknown as typeof envelope;
    expect(signingBytes({ ...reordered, signature: 'abc' }).equals(signingBytes(envelope))).toBe(true);
  });
});
