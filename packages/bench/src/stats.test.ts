import { describe, expect, it } from 'vitest';
import { CURVE_PERCENTILES, latencyFigures, median, quantile, summarise } from './stats.js';

describe('quantile', () => {
  it('should take the nearest rank of sorted values', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.9)).toBe(90);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile(sorted, 1)).toBe(100);
    expect(quantile(sorted, 0)).toBe(1);
  });

  it('should be NaN for no values', () => {
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('summarise', () => {
  it('should sort the samples itself and order the percentiles', () => {
    const samples = Array.from({ length: 10_000 }, (_, index) => ((index * 7919) % 10_000) / 100);
    const summary = summarise(samples);
    expect(summary.count).toBe(10_000);
    expect(summary.p50).toBeLessThanOrEqual(summary.p90);
    expect(summary.p90).toBeLessThanOrEqual(summary.p99);
    expect(summary.p99).toBeLessThanOrEqual(summary.p999);
    expect(summary.p999).toBeLessThanOrEqual(summary.max);
    expect(summary.max).toBe(99.99);
    expect(summary.p50).toBeCloseTo(49.99, 2);
  });
});

describe('latencyFigures', () => {
  it('should give a non-decreasing curve through every curve percentile', () => {
    const figures = latencyFigures([5, 1, 3, 2, 4, 100]);
    expect(figures.curve.map(([percentile]) => percentile)).toEqual(CURVE_PERCENTILES);
    const values = figures.curve.map(([, ms]) => ms);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values[0]).toBe(1);
    expect(values.at(-1)).toBe(100);
  });

  it('should have no curve without samples', () => {
    expect(latencyFigures([]).curve).toEqual([]);
  });
});

describe('median', () => {
  it('should take the lower middle value without sorting its input in place', () => {
    const values = [3, 1, 2, 4];
    expect(median(values)).toBe(2);
    expect(values).toEqual([3, 1, 2, 4]);
    expect(median([7])).toBe(7);
  });
});
