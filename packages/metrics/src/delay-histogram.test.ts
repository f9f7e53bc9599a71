import { describe, expect, it } from 'vitest';
import { delayField, delayQuantile } from './delay-histogram.js';

describe(delayQuantile, () => {
  it('should interpolate inside the bucket holding the quantile, and be null for nothing counted', () => {
    expect(delayField(0)).toBe('le_1');
    expect(delayField(12)).toBe('le_20');
    expect(delayField(1e9)).toBe('le_inf');
    expect(delayQuantile({}, 0.5)).toBeNull();
    const stored = { le_10: { value: 50 }, le_20: { value: 49 }, le_1000: { value: 1 } };
    expect(delayQuantile(stored, 0.5)).toBe(10);
    expect(delayQuantile(stored, 0.99)).toBe(20);
    expect(delayQuantile(stored, 1)).toBe(1000);
    expect(delayQuantile({ le_inf: { value: 3 } }, 0.5)).toBe(300_000);
  });
});
