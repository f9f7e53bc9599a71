import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatbusError } from '../errors/statbus-error.js';
import { MAX_BODY_DEPTH } from '../envelope/json-depth.js';
import { decodeEnvelope, encodeEnvelope } from './envelope-codec.js';

// Each property is bounded in runs and in time, so the suite stays a few seconds per target.
const BOUND = { numRuns: 2000, interruptAfterTimeLimit: 4000 } as const;

const valid = encodeEnvelope({
  id: '2f1e4b7c-8a9d-4c3b-9e2f-1a2b3c4d5e6f',
  topic: 'org.statbus.dev.fuzz.sample',
  time: 1_700_000_000_000,
  producer: { name: 'fuzz', host: 'h', pid: 1, instance: 'i' },
  seq: 1,
  headers: {},
  body: { a: [1, 2, { b: 'c' }] },
});

/** Bytes made by flipping, inserting and cutting bytes of a valid envelope. */
const mutated = fc
  .array(fc.tuple(fc.nat(valid.length), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 8 })
  .map((edits) => {
    const bytes = [...valid];
    for (const [at, byte, edit] of edits) {
      if (edit === 'set') bytes[at % bytes.length] = byte;
      else if (edit === 'insert') bytes.splice(at, 0, byte);
      else bytes.splice(at, 1 + (byte % 16));
    }
    return Buffer.from(bytes);
  });

/** Either a typed refusal or an envelope; anything else (a TypeError, a RangeError) is a defect. */
function decodeOrRefuse(bytes: Uint8Array): void {
  try {
    const envelope = decodeEnvelope(bytes, { maxMessageBytes: 64 * 1024 });
    expect(typeof envelope.topic).toBe('string');
  } catch (error) {
    expect(error).toBeInstanceOf(StatbusError);
    expect((error as StatbusError).code).toMatch(/^ERR_(CODEC|ENVELOPE|MESSAGE_TOO_LARGE|TOPIC)$/u);
  }
}

describe('decodeEnvelope (fuzz)', () => {
  it('should refuse random bytes with a typed error, never another throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodeOrRefuse), BOUND);
  });

  it('should refuse random JSON values with a typed error', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => decodeOrRefuse(Buffer.from(JSON.stringify(value) ?? 'null'))), BOUND);
  });

  it('should decode or refuse mutations of a valid envelope', () => {
    fc.assert(fc.property(mutated, decodeOrRefuse), BOUND);
  });

  it('should refuse bodies nested past the limit before parsing, at any depth up to 100,000', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_BODY_DEPTH, max: 100_000 }), fc.constantFrom('[', '{"a":'), (depth, open) => {
        const close = open === '[' ? ']' : '}';
        const text = `{"id":"x","topic":"a.b","time":1,"producer":{"name":"n","host":"h","pid":1,"instance":"i"},"seq":1,"headers":{},"body":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`;
        expect(() => decodeEnvelope(Buffer.from(text), { maxMessageBytes: 1 << 20 })).toThrow(/deeper than 100 levels/u);
      }),
      { numRuns: 50, interruptAfterTimeLimit: 4000 },
    );
  });
});
