import { compilePatterns, encodeEnvelope } from '@statbus/core';
import { envelopeFactory } from '@statbus/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFedmsgFrames } from './fedmsg-frames.js';
import { classifyFrames, type InboundMessage } from './inbound-frames.js';
import { encodeHeartbeatFrame, encodeMessageFrame, encodeStreamPosition } from './wire-frames.js';

// Each property is bounded in runs and in time, so the suite stays a few seconds.
const BOUND = { numRuns: 1500, interruptAfterTimeLimit: 4000 } as const;
const TOPIC = 'org.statbus.dev.fuzz.sample';
const matcher = compilePatterns(['#']);
const envelope = envelopeFactory()(TOPIC);
const json = encodeEnvelope(envelope).toString('utf8');
const position = { publisher: 'p', n: 3, seq: 7, prevSeq: 6 };
const seeds: readonly (readonly Buffer[])[] = [
  [encodeMessageFrame(TOPIC, position, json)],
  [Buffer.from(TOPIC), Buffer.from(json), encodeStreamPosition(position)],
  [encodeHeartbeatFrame(TOPIC, { publisher: 'p', n: 3, seq: 7 })],
  [...encodeFedmsgFrames(envelope, 1 << 20)].map((frame) => Buffer.from(frame)),
];

function mutate(frame: Buffer, edits: readonly (readonly [number, number, number])[]): Buffer {
  const bytes = [...frame];
  for (const [at, byte, kind] of edits) {
    if (kind === 0) bytes[at % Math.max(bytes.length, 1)] = byte;
    else if (kind === 1) bytes.splice(at % (bytes.length + 1), 0, byte);
    else bytes.splice(at % Math.max(bytes.length, 1), 1 + (byte % 24));
  }
  return Buffer.from(bytes);
}

const edit = fc.tuple(fc.nat(4096), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 }));
const mutatedFrames = fc.tuple(fc.nat(seeds.length - 1), fc.nat(2), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, which, edits]) => {
  const frames = [...(seeds[seed] ?? [])];
  const index = which % frames.length;
  frames[index] = mutate(frames[index] ?? Buffer.alloc(0), edits);
  return frames;
});

/** A fedmsg JSON frame with random fields in place of the expected ones. */
const fedmsgLike = fc
  .record({ topic: fc.oneof(fc.constant(TOPIC), fc.string()), msg: fc.jsonValue({ maxDepth: 4 }), i: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), timestamp: fc.oneof(fc.double(), fc.string()), msg_id: fc.oneof(fc.string(), fc.integer()), username: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: ['topic', 'msg'] })
  .map((value) => [Buffer.from(TOPIC), Buffer.from(JSON.stringify(value))]);

function classified(message: InboundMessage): void {
  expect(['control', 'beat', 'unmatched', 'dropped', 'message']).toContain(message.kind);
  if (message.kind === 'dropped') {
    expect(message.reason).toMatch(/^[a-z-]+$/u);
    expect(message.error).toBeInstanceOf(Error);
  }
}

describe('classifyFrames (fuzz)', () => {
  it('should classify any list of random frames without throwing', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }), (frames) => classified(classifyFrames(frames.map((frame) => Buffer.from(frame)), matcher, 1 << 16))), BOUND);
  });

  it('should classify mutated statbus, heartbeat and fedmsg frames without throwing', () => {
    fc.assert(fc.property(mutatedFrames, (frames) => classified(classifyFrames(frames, matcher, 1 << 16))), BOUND);
  });

  it('should deliver or drop, by reason, fedmsg frames with random fields', () => {
    fc.assert(fc.property(fedmsgLike, (frames) => classified(classifyFrames(frames, matcher, 1 << 16))), BOUND);
  });

  it('should drop deeply nested fedmsg and statbus bodies as malformed', () => {
    for (const depth of [101, 1_500, 50_000]) {
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const fedmsg = Buffer.from(`{"topic":"${TOPIC}","msg":{"x":${deep}},"i":1,"timestamp":1,"msg_id":"m"}`);
      const dropped = classifyFrames([Buffer.from(TOPIC), fedmsg], matcher, 1 << 20);
      expect(dropped).toMatchObject({ kind: 'dropped', reason: 'malformed' });
      expect(dropped.kind === 'dropped' && dropped.error.message).toMatch(/deeper than 100 levels/u);
      const statbus = json.replace(/"body":\{/u, `"body":{"x":${deep},`);
      expect(classifyFrames([encodeMessageFrame(TOPIC, position, statbus)], matcher, 1 << 20)).toMatchObject({ kind: 'dropped', reason: 'malformed' });
    }
  });
});
