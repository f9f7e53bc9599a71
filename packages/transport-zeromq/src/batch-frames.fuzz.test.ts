import { CodecError, compilePatterns, encodeEnvelope } from '@statbus/core';
import { envelopeFactory } from '@statbus/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatchText, splitBatchFrame } from './batch-frames.js';
import { classifyFrame } from './inbound-frames.js';
import { encodeMessageFrame } from './wire-frames.js';

// Bounded in runs and in time, so the suite stays a few seconds.
const BOUND = { numRuns: 1500, interruptAfterTimeLimit: 4000 } as const;
const TOPIC = 'org.statbus.dev.fuzz.batch';
const make = envelopeFactory();
const seed = encodeBatchText(
  TOPIC,
  [1, 2, 3].map((n) => encodeMessageFrame(TOPIC, { publisher: 'p', n, seq: n, prevSeq: n - 1 }, encodeEnvelope(make(TOPIC, { n })).toString('utf8')).toString('utf8')),
);
const matcher = compilePatterns(['#']);
const kinds = ['control', 'beat', 'unmatched', 'dropped', 'message'];

function mutate(frame: Buffer, edits: readonly (readonly [number, number, number])[]): Buffer {
  const bytes = [...frame];
  for (const [at, byte, kind] of edits) {
    if (kind === 0) bytes[at % Math.max(bytes.length, 1)] = byte;
    else if (kind === 1) bytes.splice(at % (bytes.length + 1), 0, byte);
    else bytes.splice(at % Math.max(bytes.length, 1), 1 + (byte % 24));
  }
  return Buffer.from(bytes);
}

/** What a subscriber does with a received batch: split it, or count one refusal; classify every message. */
function read(frame: Buffer): { refused: number; kinds: string[] } {
  const split = splitBatchFrame(frame);
  if (split instanceof CodecError) return { refused: 1, kinds: [] };
  return { refused: 0, kinds: split.map((message) => classifyFrame(message, matcher, 1 << 20).kind) };
}

describe('splitBatchFrame under fuzzing', () => {
  it('should split mutated batches or refuse them with a typed error, never throw', () => {
    const edit = fc.tuple(fc.nat(4096), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        const outcome = read(mutate(Buffer.from(seed), edits));
        expect(outcome.refused + outcome.kinds.length).toBeGreaterThan(0);
        for (const kind of outcome.kinds) expect(kinds).toContain(kind);
      }),
      BOUND,
    );
  });

  it('should take any bytes behind a batch header without throwing, and count each refusal once', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.uint8Array({ maxLength: 512 }), (header, body) => {
        const outcome = read(Buffer.concat([Buffer.from(`${TOPIC} b1 ${header}`), Buffer.from(body)]));
        refused += outcome.refused;
        // A refused batch is one count and delivers nothing; a split one classifies each of its messages.
        if (outcome.refused === 1) expect(outcome.kinds).toEqual([]);
        else for (const kind of outcome.kinds) expect(kinds).toContain(kind);
      }),
      BOUND,
    );
    expect(refused).toBeGreaterThan(0);
  });
});
