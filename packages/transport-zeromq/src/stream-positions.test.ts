import { describe, expect, it } from 'vitest';
import { StreamPositions } from './stream-positions.js';
import { decodeMessageFrame, encodeMessageFrame } from './wire-frames.js';

describe(StreamPositions, () => {
  describe('.frame', () => {
    it('should give the bytes of encodeMessageFrame for the next position, numbering each topic from 1', () => {
      const positions = new StreamPositions('abc');
      const reference = new StreamPositions('abc');
      const json = '{"a":"é"}';
      for (const [topic, seq] of [['a.b', 1], ['a.c', 2], ['a.b', 3], ['a.b', 7], ['é.x', 8]] as const) {
        expect(positions.frame(topic, seq, json, Buffer.byteLength(json))).toEqual(encodeMessageFrame(topic, reference.next(topic, seq), json));
      }
      const decoded = decodeMessageFrame(positions.frame('a.b', 9, json, Buffer.byteLength(json)));
      expect(decoded?.position).toEqual({ publisher: 'abc', n: 4, seq: 9, prevSeq: 7 });
      expect(decoded?.topic).toBe('a.b');
      expect(decoded?.envelope.toString('utf8')).toBe(json);
    });
  });
});
