import { describe, expect, it } from 'vitest';
import { BACKOFF_JITTER, abortableDelay, backoffDelay } from './backoff.js';

const bounds = { initialMs: 100, maxMs: 1_000 };

describe(backoffDelay, () => {
  describe('when there is no jitter', () => {
    it('should double from initialMs and stop at maxMs', () => {
      expect([1, 2, 3, 4, 5, 60].map((attempt) => backoffDelay(attempt, bounds, 0))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    });
  });

  describe('when jitter applies', () => {
    it('should shorten the delay by at most the jitter share, never exceeding maxMs', () => {
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        const full = backoffDelay(attempt, bounds, 0);
        const shortest = backoffDelay(attempt, bounds, 0.999_999);
        expect(shortest).toBeGreaterThanOrEqual(Math.floor(full * (1 - BACKOFF_JITTER)));
        expect(backoffDelay(attempt, bounds)).toBeLessThanOrEqual(bounds.maxMs);
      }
    });
  });

  describe('when the attempt is out of range', () => {
    it('should treat attempts below 1 as the first and huge ones as capped', () => {
      expect(backoffDelay(0, bounds, 0)).toBe(100);
      expect(backoffDelay(10_000, bounds, 0)).toBe(1_000);
    });
  });
});

describe(abortableDelay, () => {
  describe('when the signal aborts', () => {
    it('should resolve at once', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const delay = abortableDelay(60_000, controller.signal);
      controller.abort();
      await delay;
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });
});
