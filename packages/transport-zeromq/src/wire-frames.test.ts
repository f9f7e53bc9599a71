import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStreamPosition, encodeStreamPosition, isControlTopic, isProbeTopic, probeTopic } from './wire-frames.js';

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

describe(probeTopic, () => {
  it('should be a control topic that no UTF-8 topic can equal', () => {
    const topic = probeTopic('abc');
    expect(isControlTopic(topic)).toBe(true);
    expect(isProbeTopic(topic)).toBe(true);
    expect(isControlTopic(Buffer.from('org.statbus.dev.a.b', 'utf8'))).toBe(false);
    expect(isProbeTopic(Buffer.from('\u00ffstatbus.probe.x', 'utf8'))).toBe(false);
  });
});
