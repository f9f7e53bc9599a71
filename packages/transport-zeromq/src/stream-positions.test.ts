import { describe, expect, it } from 'vitest';
import { StreamPositions } from './stream-positions.js';
import { decodeStreamPosition, encodeStreamPosition } from './wire-frames.js';

describe(StreamPositions, () => {
  describe('.frames', () => {
    it('should give the bytes of the topic, the envelope and the encoded position, numbering each topic from 1', () => {
      const positions = new StreamPositions('abc');
      const reference = new StreamPositions('abc');
      const bytes = Buffer.from('{}');
      for (const [topic, seq] of [['a.b', 1], ['a.c', 2], ['a.b', 3], ['a.b', 7], ['é.x', 8]] as const) {
        const [topicFrame, body, stream] = positions.frames(topic, seq, bytes);
        expect(topicFrame).toEqual(Buffer.from(topic, 'utf8'));
        expect(body).toBe(bytes);
        expect(stream).toEqual(encodeStreamPosition(reference.next(topic, seq)));
      }
      expect(decodeStreamPosition(positions.frames('a.b', 9, bytes)[2] as Buffer)).toEqual({ publisher: 'abc', n: 4, seq: 9, prevSeq: 7 });
    });
  });
});
