import { describe, expect, it } from 'vitest';
import { floorSlopeMiBPerMinute, rssSlopeMiBPerMinute } from './rss-slope.js';

describe(rssSlopeMiBPerMinute, () => {
  it('should give the growth per minute of a steady climb', () => {
    expect(rssSlopeMiBPerMinute([[0, 100], [30_000, 101], [60_000, 102], [90_000, 103]])).toBeCloseTo(2, 6);
  });

  it('should be NaN for fewer than two samples and ignore samples that are not numbers', () => {
    expect(rssSlopeMiBPerMinute([[0, 100]])).toBeNaN();
    expect(rssSlopeMiBPerMinute([[0, 100], [60_000, Number.NaN], [120_000, 100]])).toBe(0);
  });
});

describe(floorSlopeMiBPerMinute, () => {
  /** Samples every 15 s for `minutes`: a sawtooth of `swing` MiB over a floor that rises by `leak` MiB/min. */
  const sawtooth = (minutes: number, swing: number, leak: number): [number, number][] =>
    Array.from({ length: minutes * 4 }, (_, index) => [index * 15_000, 150 + leak * (index / 4) + ((index * 7) % 4 === 0 ? 0 : swing * (((index * 5) % 3) + 1) / 3)]);

  it('should see no growth in a sawtooth of 50 MiB that keeps falling back to the same floor', () => {
    const samples = sawtooth(5, 50, 0);
    expect(Math.abs(floorSlopeMiBPerMinute(samples, 60_000))).toBeLessThan(0.01);
  });

  it('should see the leak under the same sawtooth: a floor rising by 2 MiB/min', () => {
    expect(floorSlopeMiBPerMinute(sawtooth(5, 50, 2), 60_000)).toBeCloseTo(2, 0);
  });

  it('should be NaN with samples of a single bucket', () => {
    expect(floorSlopeMiBPerMinute([[0, 1], [10_000, 2]], 60_000)).toBeNaN();
  });
});
