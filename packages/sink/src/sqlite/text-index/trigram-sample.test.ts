import { describe, expect, it } from 'vitest';
import { TrigramSample, trigramsOf } from './trigram-sample.js';

/** A sample over these bodies (lower-cased already), whatever the size of the archive. */
function sampleOf(bodies: readonly string[]): TrigramSample {
  return new TrigramSample({ messageCount: () => bodies.length, sampleBodies: () => bodies });
}

describe('TrigramSample', () => {
  const repeat = (count: number, body: string): string[] => Array.from({ length: count }, () => body);

  describe('.choose', () => {
    it('should take the rarest trigrams first, then only those that leave fewer sampled bodies', () => {
      const sample = sampleOf([...repeat(30, 'abcd'), ...repeat(30, 'bcde'), ...repeat(10, 'abcde')]);
      // abc and cde are each in 40 bodies, both together in 10; bcd (70) removes nothing once they are taken.
      expect(sample.choose('abcde', 6, 1)).toEqual(['abc', 'cde']);
    });

    it('should take at least the minimum, rarest first, even when they remove nothing more', () => {
      const sample = sampleOf([...repeat(50, 'aaa bbb'), ...repeat(10, 'aaa ccc'), ...repeat(40, 'zzz')]);
      expect(sample.choose('aaa ccc', 6, 1)).toEqual(['a c']);
      expect(sample.choose('aaa ccc', 6, 3)).toEqual(['a c', ' cc', 'ccc']);
      expect(sample.choose('aaa ccc', 2, 3)).toEqual(['a c', ' cc']);
    });

    it('should return every trigram of a needle shorter than the minimum, and none of a needle without one', () => {
      const sample = sampleOf(repeat(10, 'kernel'));
      expect(sample.choose('kern', 6, 3).sort()).toEqual(['ern', 'ker']);
      expect(sample.choose('ke', 6, 3)).toEqual([]);
    });
  });

  describe('trigramsOf', () => {
    it('should list each run of three code units once', () => {
      expect(trigramsOf('aaaa')).toEqual(['aaa']);
      expect(trigramsOf('\u{1F600}a')).toEqual(['\u{1F600}a']);
    });
  });
});
