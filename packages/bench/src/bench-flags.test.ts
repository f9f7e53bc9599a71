import { describe, expect, it } from 'vitest';
import { benchFlags } from './bench-flags.js';

describe('benchFlags', () => {
  describe('.count', () => {
    it('should take whole numbers from the minimum', () => {
      expect(benchFlags.count()('3')).toBe(3);
      expect(benchFlags.count()('50_000')).toBe(50_000);
      expect(benchFlags.count(0)('0')).toBe(0);
    });

    it.each(['0', '-1', '1.5', 'x', '', '1e3'])('should refuse %j', (value) => {
      expect(() => benchFlags.count()(value)).toThrow(RangeError);
    });
  });

  describe('.positive', () => {
    it('should take decimals and refuse zero, negatives and words', () => {
      expect(benchFlags.positive('0.5')).toBe(0.5);
      for (const value of ['0', '-2', 'soon', '']) expect(() => benchFlags.positive(value)).toThrow(/positive number/u);
    });
  });

  describe('.sizes', () => {
    it('should read bytes and units', () => {
      expect(benchFlags.sizes('256,1KiB,16k,1.5kb')).toEqual([256, 1024, 16_384, 1536]);
    });

    it.each(['8', '2MiB', '1 parsec', '1024,', 'abc'])('should refuse %j', (value) => {
      expect(() => benchFlags.sizes(value)).toThrow(RangeError);
    });
  });

  describe('.rates', () => {
    it('should read rates with an optional k', () => {
      expect(benchFlags.rates('500,5k,2.5k')).toEqual([500, 5000, 2500]);
    });

    it('should refuse zero and words', () => {
      expect(() => benchFlags.rates('0')).toThrow(/rates/u);
      expect(() => benchFlags.rates('fast')).toThrow(/rates/u);
    });
  });

  describe('.topics', () => {
    it('should read topic counts from 1 to 64', () => {
      expect(benchFlags.topics('8,1')).toEqual([8, 1]);
    });

    it('should refuse zero, more than 64 and words, naming what it expects', () => {
      for (const value of ['0', '65', 'many', '8,']) expect(() => benchFlags.topics(value)).toThrow(RangeError);
      expect(() => benchFlags.topics('65')).toThrow(/from 1 to 64/u);
    });
  });

  describe('.modes', () => {
    it('should expand all and keep the run order', () => {
      expect(benchFlags.modes('all')).toEqual(['transport', 'pipeline']);
      expect(benchFlags.modes('pipeline,transport')).toEqual(['transport', 'pipeline']);
      expect(benchFlags.modes('PIPELINE')).toEqual(['pipeline']);
    });

    it('should name what it expects for an unknown mode', () => {
      expect(() => benchFlags.modes('latency')).toThrow(/transport, pipeline, all/u);
    });
  });
});
