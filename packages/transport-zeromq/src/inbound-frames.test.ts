import { compilePatterns, encodeEnvelope } from '@statbus/core';
import { envelopeFactory } from '@statbus/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFrames } from './inbound-frames.js';
import { encodeHeartbeatFrame, encodeMessageFrame, encodeStreamPosition, probeTopic } from './wire-frames.js';

const TOPIC = 'org.statbus.dev.bodhi.update.comment';
const matcher = compilePatterns(['org.statbus.dev.bodhi.#']);
const envelope = envelopeFactory()(TOPIC);
const bytes = encodeEnvelope(envelope);
const position = { publisher: 'p', n: 3, seq: 7, prevSeq: 5 };

describe(classifyFrames, () => {
  describe('when given a statbus message (one frame)', () => {
    it('should give the envelope and its stream position', () => {
      expect(classifyFrames([encodeMessageFrame(TOPIC, position, bytes.toString('utf8'))], matcher, 1 << 20)).toEqual({
        kind: 'message',
        envelope,
        topic: TOPIC,
        position,
      });
    });

    it('should not parse the envelope of a topic the patterns do not match', () => {
      expect(classifyFrames([encodeMessageFrame('org.statbus.dev.bodhix.a', position, '{not json')], matcher, 1 << 20)).toEqual({ kind: 'unmatched' });
    });

    it('should drop a frame whose stream position is unreadable as malformed, naming its topic', () => {
      expect(classifyFrames([Buffer.from(`${TOPIC} s1 p x 1 0 ${bytes.toString('utf8')}`)], matcher, 1 << 20)).toMatchObject({ kind: 'dropped', reason: 'malformed', topic: TOPIC });
    });

    it('should keep the stream position of a frame whose envelope is dropped, and apply the size limit to the envelope', () => {
      expect(classifyFrames([encodeMessageFrame(TOPIC, position, '{not json')], matcher, 1 << 20)).toMatchObject({ kind: 'dropped', reason: 'malformed', position });
      const frame = encodeMessageFrame(TOPIC, position, bytes.toString('utf8'));
      expect(classifyFrames([frame], matcher, bytes.length)).toMatchObject({ kind: 'message' });
      expect(classifyFrames([frame], matcher, bytes.length - 1)).toMatchObject({ kind: 'dropped', reason: 'too-large', position });
    });
  });

  describe('when given a statbus message of the three-frame form', () => {
    it('should give the envelope and its stream position', () => {
      expect(classifyFrames([Buffer.from(TOPIC), bytes, encodeStreamPosition(position)], matcher, 1 << 20)).toEqual({
        kind: 'message',
        envelope,
        topic: TOPIC,
        position,
      });
    });
  });

  describe('when the topic is let through by the prefix but not matched by the patterns', () => {
    it('should not parse the envelope', () => {
      expect(classifyFrames([Buffer.from('org.statbus.dev.bodhix.a'), Buffer.from('not json')], matcher, 1 << 20)).toEqual({ kind: 'unmatched' });
    });
  });

  describe('when given a stream heartbeat', () => {
    it('should give its topic and position when the patterns match the topic', () => {
      const beat = { publisher: 'p', n: 3, seq: 7 };
      expect(classifyFrames([encodeHeartbeatFrame(TOPIC, beat)], matcher, 1 << 20)).toEqual({ kind: 'beat', topic: TOPIC, beat });
    });

    it('should ignore it like a message when the prefix let it through but the patterns do not match', () => {
      expect(classifyFrames([encodeHeartbeatFrame('org.statbus.dev.bodhix.a', { publisher: 'p', n: 3, seq: 7 })], matcher, 1 << 20)).toEqual({ kind: 'unmatched' });
    });

    it('should drop a frame of an unknown kind (a newer peer) as malformed, naming its topic', () => {
      for (const text of [`${TOPIC} h2 p 3 7`, `${TOPIC} x1 p 3`, `${TOPIC} h1 p 3 7 9`]) {
        expect(classifyFrames([Buffer.from(text)], matcher, 1 << 20), text).toMatchObject({ kind: 'dropped', reason: 'malformed', topic: TOPIC });
      }
    });
  });

  describe('when given a control message', () => {
    it('should say so', () => {
      expect(classifyFrames([probeTopic('x'), Buffer.from('relay')], matcher, 1 << 20).kind).toBe('control');
    });
  });

  describe('when given bad frames', () => {
    it('should name the reason and keep the stream position when it could be read', () => {
      const cases = [
        [[], 'malformed'],
        [[Buffer.from(TOPIC), bytes, Buffer.from('x'), Buffer.from('y')], 'malformed'],
        [[Buffer.from(TOPIC), Buffer.from('{'), encodeStreamPosition(position)], 'malformed'],
        [[Buffer.from(TOPIC), bytes], 'too-large', 10],
        [[Buffer.from(TOPIC), Buffer.from('{"id":1}')], 'invalid'],
        [[Buffer.from(`${TOPIC}.x`), encodeEnvelope({ ...envelope })], 'topic-mismatch'],
      ] as const;
      for (const [frames, reason, limit] of cases) {
        const result = classifyFrames(frames, compilePatterns(['#']), limit ?? 1 << 20);
        expect(result, reason).toMatchObject({ kind: 'dropped', reason });
      }
      expect(classifyFrames([Buffer.from(TOPIC), Buffer.from('{'), encodeStreamPosition(position)], matcher, 1 << 20)).toMatchObject({ position });
    });

    it('should never throw, whatever the bytes', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }), (parts) => {
          const result = classifyFrames(parts.map((part) => Buffer.from(part)), compilePatterns(['#']), 1 << 20);
          expect(['control', 'unmatched', 'dropped', 'message', 'beat']).toContain(result.kind);
        }),
      );
    });
  });
});
