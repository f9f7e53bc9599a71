import { describe, expect, it } from 'vitest';
import { indexText } from './index-text.js';
import { trigramsOf } from './trigram-sample.js';

/** A deterministic generator (mulberry32), so a failure names its case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'A', 'b', ' ', '"', 'é', 'É', 'ß', '😀', '\u0130', 'x', 'X'];

describe(indexText, () => {
  describe('when the body has no run of four', () => {
    it('should return the lower-cased body', () => {
      expect(indexText('{"Comment":"Looks GOOD, karma +1"}')).toBe('{"comment":"looks good, karma +1"}');
    });
  });

  describe('when the body has runs of one character', () => {
    it('should cut each to three characters', () => {
      expect(indexText(`{"pad":"${'x'.repeat(800)}","n":"1000000","t":"XXXXx"}`)).toBe('{"pad":"xxx","n":"1000","t":"xxx"}');
    });

    it('should leave a run of one astral character as it is (its surrogates alternate)', () => {
      expect(indexText('😀😀😀😀😀')).toBe('😀😀😀😀😀');
    });
  });

  it('should keep exactly the trigrams of the lower-cased body', () => {
    const next = random(7);
    for (let round = 0; round < 2000; round += 1) {
      let body = '';
      while (body.length < 1 + Math.floor(next() * 60)) {
        const char = ALPHABET[Math.floor(next() * ALPHABET.length)] as string;
        body += char.repeat(1 + Math.floor(next() * 7));
      }
      const expected = new Set(trigramsOf(body.toLowerCase()));
      const actual = new Set(trigramsOf(indexText(body)));
      expect({ body, trigrams: [...actual].sort() }).toEqual({ body, trigrams: [...expected].sort() });
    }
  });
});
