import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHeartbeatFrame,
  decodeMessageFrame,
  decodeStreamPosition,
  encodeHeartbeatFrame,
  encodeMessageFrame,
  encodeStreamPosition,
  RepeatedText,
  frameTopic,
  isControlTopic,
  isHeartbeatFrame,
  isProbeTopic,
  probeTopic,
} from './wire-frames.js';

describe(decodeStreamPosition, () => {
  describe('when given what encodeStreamPosition made', () => {
    it('should give the same position back', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[0-9a-f]{1,16}$/), fc.nat(), fc.nat(), fc.nat(), (publisher, n, seq, prevSeq) => {
          const position = { publisher, n: n + 1, seq, prevSeq };
          expect(decodeStreamPosition(encodeStreamPosition(position))).toEqual(position);
        }),
      );
    });
  });

  describe('when given anything else', () => {
    it('should return undefined, never throw', () => {
      for (const text of ['', 's1', 's1 p 0 1 0', 's1 p x 1 0', 's2 p 1 1 0', 's1 p 1 1 0 9', 's1  1 1 0']) {
        expect(decodeStreamPosition(Buffer.from(text)), text).toBeUndefined();
      }
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decodeStreamPosition(bytes)));
    });

    it('should accept exactly what the split-and-match reading of the format accepts', () => {
      const reference = (text: string): unknown => {
        if (text.length > 128) return undefined;
        const [tag, publisher, n, seq, prevSeq, extra] = text.split(' ');
        const count = (field: string | undefined): number | undefined => (field !== undefined && /^\d{1,15}$/u.test(field) ? Number(field) : undefined);
        const position = { publisher, n: count(n), seq: count(seq), prevSeq: count(prevSeq) };
        if (tag !== 's1' || publisher === undefined || publisher === '' || extra !== undefined) return undefined;
        if (position.n === undefined || position.n < 1 || position.seq === undefined || position.prevSeq === undefined) return undefined;
        return position;
      };
      const field = fc.oneof(fc.stringMatching(/^[0-9]{0,17}$/), fc.constantFrom('s1', 's2', '', 'ab', '0x1', '1e3', '\u00e9'));
      fc.assert(
        fc.property(fc.array(field, { maxLength: 7 }), fc.boolean(), (fields, tagged) => {
          const text = (tagged ? ['s1', ...fields] : fields).join(' ');
          expect(decodeStreamPosition(Buffer.from(text, 'latin1'))).toEqual(reference(text));
        }),
        { numRuns: 2000 },
      );
    });
  });
});

describe(decodeMessageFrame, () => {
  const topicWord = fc.stringMatching(/^[^\s.*#]{1,6}$/u);
  const topic = fc.array(topicWord, { minLength: 1, maxLength: 5 }).map((words) => words.join('.'));
  const position = fc.record({ publisher: fc.stringMatching(/^[0-9a-f]{1,16}$/), n: fc.integer({ min: 1, max: 2 ** 40 }), seq: fc.nat(), prevSeq: fc.nat() });
  const json = fc.jsonValue().map((value) => `{"v":${JSON.stringify(value)}}`);

  describe('when given what encodeMessageFrame made', () => {
    it('should give back the topic, the position and the envelope bytes', () => {
      fc.assert(
        fc.property(topic, position, json, (name, where, text) => {
          const frame = encodeMessageFrame(name, where, text);
          const decoded = decodeMessageFrame(frame);
          expect(decoded).toEqual({ topic: name, position: where, envelopeStart: frame.length - Buffer.byteLength(text) });
          expect(frame.subarray(decoded?.envelopeStart).toString('utf8')).toBe(text);
          expect(frameTopic(frame)).toBe(name);
        }),
      );
    });
  });

  describe('when given anything else', () => {
    it('should return undefined for a frame without topic, position or JSON object', () => {
      for (const text of ['', 'a.b', ' s1 p 1 1 0 {}', 'a.b {}', 'a.b s1 p 1 1 0', 'a.b s1 p 1 1 0 []', 'a.b s1 p 0 1 0 {}', 'a.b s1 p 1 1 0{}', 'a.b s2 p 1 1 0 {}']) {
        expect(decodeMessageFrame(Buffer.from(text)), text).toBeUndefined();
      }
    });

    it('should never throw, whatever the bytes', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decodeMessageFrame(Buffer.from(bytes))));
      fc.assert(
        fc.property(fc.array(fc.constantFrom('a.b', 's1', 'p', '1', '0', '{}', '{', ' ', ''), { maxLength: 9 }), (parts) => {
          const frame = Buffer.from(parts.join(' '));
          const decoded = decodeMessageFrame(frame);
          if (decoded !== undefined) expect(frame[decoded.envelopeStart]).toBe(0x7b);
        }),
      );
    });
  });
});

describe(probeTopic, () => {
  it('should be a control topic that no UTF-8 topic can equal', () => {
    const topic = probeTopic('abc');
    expect(isControlTopic(topic)).toBe(true);
    expect(isProbeTopic(topic)).toBe(true);
    expect(isControlTopic(Buffer.from('org.statbus.dev.a.b', 'utf8'))).toBe(false);
    expect(isProbeTopic(Buffer.from('\u00ffstatbus.probe.x', 'utf8'))).toBe(false);
  });
});

describe(decodeHeartbeatFrame, () => {
  const topicWord = fc.stringMatching(/^[^\s.*#]{1,6}$/u);
  const topic = fc.array(topicWord, { minLength: 1, maxLength: 5 }).map((words) => words.join('.'));
  const beat = fc.record({ publisher: fc.stringMatching(/^[0-9a-f]{1,16}$/), n: fc.integer({ min: 1, max: 2 ** 40 }), seq: fc.nat() });

  describe('when given what encodeHeartbeatFrame made', () => {
    it('should give back the topic and the position, and never be taken for a message', () => {
      fc.assert(
        fc.property(topic, beat, (name, where) => {
          const frame = encodeHeartbeatFrame(name, where);
          expect(decodeHeartbeatFrame(frame)).toEqual({ topic: name, beat: where });
          expect(isHeartbeatFrame(frame)).toBe(true);
          expect(frameTopic(frame)).toBe(name);
          expect(decodeMessageFrame(frame)).toBeUndefined();
        }),
      );
    });
  });

  describe('when given a message frame or anything else', () => {
    it('should return undefined, never throw', () => {
      const message = encodeMessageFrame('a.b', { publisher: 'p', n: 1, seq: 1, prevSeq: 0 }, '{}');
      expect(decodeHeartbeatFrame(message)).toBeUndefined();
      expect(isHeartbeatFrame(message)).toBe(false);
      for (const text of ['', 'a.b', 'a.b h1', 'a.b h1 p 1', 'a.b h1 p 0 1', 'a.b h1 p x 1', 'a.b h1 p 1 1 {}', 'a.b h2 p 1 1', ' h1 p 1 1', 'a.b h1  1 1', 'a.b h1 p 1 1 ']) {
        expect(decodeHeartbeatFrame(Buffer.from(text)), text).toBeUndefined();
      }
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decodeHeartbeatFrame(Buffer.from(bytes))));
      fc.assert(
        fc.property(fc.array(fc.constantFrom('a.b', 'h1', 'p', '1', '0', 'x', ' ', ''), { maxLength: 7 }), (parts) => {
          const text = parts.join(' ');
          const decoded = decodeHeartbeatFrame(Buffer.from(text));
          if (decoded !== undefined) expect(encodeHeartbeatFrame(decoded.topic, decoded.beat).toString()).toBe(text);
        }),
      );
    });
  });
});

describe(RepeatedText, () => {
  describe('.read', () => {
    it('should give the text of the range, the same string again for the same bytes', () => {
      const text = new RepeatedText('utf8');
      const first = text.read(Buffer.from('xx a.é yy'), 3, 7);
      expect(first).toBe('a.é');
      const again = text.read(Buffer.from('a.é'), 0, 4);
      expect(again).toBe(first);
      expect(text.read(Buffer.from('a.è'), 0, 4)).toBe('a.è');
      expect(text.read(Buffer.from('a.'), 0, 2)).toBe('a.');
    });

    it('should not be fooled by the frame it read being changed afterwards', () => {
      const text = new RepeatedText('latin1');
      const frame = Buffer.from('abc');
      expect(text.read(frame, 0, 3)).toBe('abc');
      frame.write('abd');
      expect(text.read(frame, 0, 3)).toBe('abd');
    });

    it('should equal a plain decoding of any range', () => {
      const text = new RepeatedText('utf8');
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat(12), fc.nat(12), (bytes, a, b) => {
          const frame = Buffer.from(bytes);
          const start = Math.min(a, b, frame.length);
          const end = Math.min(Math.max(a, b), frame.length);
          expect(text.read(frame, start, end)).toBe(frame.toString('utf8', start, end));
        }),
        { numRuns: 1000 },
      );
    });
  });
});
