import { CodecError, compilePatterns, encodeEnvelope } from '@statbus/core';
import { envelopeFactory } from '@statbus/testing';
import { describe, expect, it } from 'vitest';
import { batchHead, encodeBatchBytes, encodeBatchText, isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { classifyFrame } from './inbound-frames.js';
import { encodeHeartbeatFrame, encodeMessageFrame } from './wire-frames.js';

const make = envelopeFactory();
const frameOf = (topic: string, n: number): string => {
  const envelope = make(topic, { n, text: 'line one\nline two' });
  return encodeMessageFrame(topic, { publisher: 'p1', n, seq: n, prevSeq: n - 1 }, encodeEnvelope(envelope).toString('utf8')).toString('utf8');
};

describe('batch frames', () => {
  const frames = [frameOf('org.statbus.dev.a.b', 1), frameOf('org.statbus.dev.c.d', 1), frameOf('org.statbus.dev.a.b', 2)];

  describe('encodeBatchText / splitBatchFrame', () => {
    it('should give back each message frame, byte for byte, in order', () => {
      const batch = Buffer.from(encodeBatchText('org.statbus.dev.a.b', frames));
      expect(isBatchFrame(batch)).toBe(true);
      expect(batchHead(batch)).toBe('org.statbus.dev.a.b');
      const split = splitBatchFrame(batch);
      expect(Array.isArray(split) && split.map((frame) => frame.toString('utf8'))).toEqual(frames);
    });

    it('should give frames that classify as the messages they carry (newlines in bodies are escaped by JSON)', () => {
      const split = splitBatchFrame(Buffer.from(encodeBatchText('org.statbus.dev.a.b', frames))) as Buffer[];
      const matcher = compilePatterns(['#']);
      expect(split.map((frame) => classifyFrame(frame, matcher, 1 << 20))).toMatchObject([
        { kind: 'message', topic: 'org.statbus.dev.a.b', position: { n: 1 } },
        { kind: 'message', topic: 'org.statbus.dev.c.d', position: { n: 1 } },
        { kind: 'message', topic: 'org.statbus.dev.a.b', position: { n: 2 }, envelope: { body: { n: 2, text: 'line one\nline two' } } },
      ]);
    });
  });

  describe('encodeBatchBytes', () => {
    it('should lay out the same bytes as the text form', () => {
      expect(encodeBatchBytes('h', frames.map((frame) => Buffer.from(frame)))).toEqual(Buffer.from(encodeBatchText('h', frames)));
    });
  });

  describe('isBatchFrame', () => {
    it('should be false for a message frame and a heartbeat', () => {
      expect(isBatchFrame(Buffer.from(frames[0] ?? ''))).toBe(false);
      expect(isBatchFrame(encodeHeartbeatFrame('org.statbus.dev.a.b', { publisher: 'p1', n: 2, seq: 2 }))).toBe(false);
    });
  });

  describe('splitBatchFrame when the batch is malformed', () => {
    const good = encodeBatchText('t', frames);
    it.each([
      ['no header', frames[0] ?? ''],
      ['no count', 't b1 \n' + frames.join('\n')],
      ['a count that is not a number', 't b1 x3\n' + frames.join('\n')],
      ['a count of zero', 't b1 0\n' + frames.join('\n')],
      ['fewer messages than announced', good.replace(' b1 3\n', ' b1 4\n')],
      ['more messages than announced', good.replace(' b1 3\n', ' b1 2\n')],
      ['an empty message', 't b1 3\n' + [frames[0], '', frames[2]].join('\n')],
      ['nothing after the header', 't b1 3'],
    ])('should refuse %s with a typed ERR_CODEC', (_, text) => {
      const result = splitBatchFrame(Buffer.from(text));
      expect(result).toBeInstanceOf(CodecError);
      expect(result).toMatchObject({ code: 'ERR_CODEC' });
    });
  });
});
