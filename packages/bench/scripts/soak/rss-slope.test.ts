import { describe, expect, it } from 'vitest';
import { rssSlopeMiBPerMinute } from './rss-slope.js';

describe(rssSlopeMiBPerMinute, () => {
  it('should give the growth per minute of a steady climb', () => {
    expect(rssSlopeMiBPerMinute([[0, 100], [30_000, 101], [60_000, 102], [90_000, 103]])).toBeCloseTo(2, 6);
  });

  it('should be NaN for fewer than two samples and ignore samples that are not numbers', () => {
    expect(rssSlopeMiBPerMinute([[0, 100]])).toBeNaN();
    expect(rssSlopeMiBPerMinute([[0, 100], [60_000, Number.NaN], [120_000, 100]])).toBe(0);
  });
});
