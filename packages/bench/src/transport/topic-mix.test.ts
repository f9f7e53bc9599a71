import { describe, expect, it } from 'vitest';
import { mixIndex, topicMix } from './topic-mix.js';

describe('topicMix', () => {
  it('should give the single topic alone for one, and distinct topics under the base for a mix', () => {
    expect(topicMix('a.b', 1, 'a.b.one')).toEqual(['a.b.one']);
    const mix = topicMix('a.b', 20, 'a.b.one');
    expect(new Set(mix).size).toBe(20);
    expect(mix.every((topic) => topic.startsWith('a.b.'))).toBe(true);
  });
});

describe('mixIndex', () => {
  it('should spread messages evenly over the mix, mostly changing topic from one message to the next', () => {
    const counts = new Array<number>(8).fill(0);
    let repeats = 0;
    for (let seq = 1; seq <= 80_000; seq += 1) {
      const index = mixIndex(seq, 8);
      counts[index] = (counts[index] ?? 0) + 1;
      if (index === mixIndex(seq - 1, 8)) repeats += 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(9_000);
    expect(repeats).toBeLessThan(80_000 / 4);
    expect(mixIndex(5, 1)).toBe(0);
  });
});
