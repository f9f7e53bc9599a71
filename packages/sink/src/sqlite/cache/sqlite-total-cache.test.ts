import { describe, expect, it } from 'vitest';
import { SQLITE_TUNING_DEFAULTS } from '../sqlite-tuning.js';
import { SqliteTotalCache, totalKey } from './sqlite-total-cache.js';

const never = (): number => {
  throw new Error('should not count');
};

describe(SqliteTotalCache, () => {
  describe('.upToDate', () => {
    it('should answer nothing for a filter set never counted', () => {
      expect(new SqliteTotalCache().upToDate('k', 10, never)).toBeUndefined();
    });

    it('should answer the kept total for the same newest row without counting', () => {
      const cache = new SqliteTotalCache();
      cache.record('k', 10, 4);
      expect(cache.upToDate('k', 10, never)).toBe(4);
    });

    it('should add the matches among the rows archived since, and keep the sum', () => {
      const cache = new SqliteTotalCache();
      cache.record('k', 10, 4);
      const asked: number[] = [];
      expect(cache.upToDate('k', 15, (after) => (asked.push(after), 2))).toBe(6);
      expect(asked).toEqual([10]);
      expect(cache.upToDate('k', 15, never)).toBe(6);
    });

    it('should answer nothing when the rows archived since cannot be checked, or for an older snapshot', () => {
      const cache = new SqliteTotalCache();
      cache.record('k', 10, 4);
      expect(cache.upToDate('k', 11 + SQLITE_TUNING_DEFAULTS.totalCatchUpRows, () => undefined)).toBeUndefined();
      expect(cache.upToDate('k', 9, never)).toBeUndefined();
    });
  });

  describe('.record', () => {
    it('should not let an older snapshot replace a newer total', () => {
      const cache = new SqliteTotalCache();
      cache.record('k', 10, 4);
      cache.record('k', 8, 3);
      expect(cache.upToDate('k', 10, never)).toBe(4);
    });

    it('should drop the least recently used filter set beyond its capacity', () => {
      const cache = new SqliteTotalCache(2);
      cache.record('a', 1, 1);
      cache.record('b', 1, 2);
      cache.upToDate('a', 1, never);
      cache.record('c', 1, 3);
      expect(cache.upToDate('b', 1, never)).toBeUndefined();
      expect(cache.upToDate('a', 1, never)).toBe(1);
      expect(cache.upToDate('c', 1, never)).toBe(3);
    });

    it('should keep nothing with capacity 0', () => {
      const cache = new SqliteTotalCache(0);
      cache.record('k', 1, 1);
      expect(cache.upToDate('k', 1, never)).toBeUndefined();
    });
  });
});

describe(totalKey, () => {
  it('should ignore order, paging and the order of a filter’s values', () => {
    expect(totalKey({ users: ['b', 'a'], order: 'asc', page: 3, rowsPerPage: 5 }, {})).toBe(totalKey({ users: ['a', 'b'] }, {}));
  });

  it('should tell apart filters, their not forms and windows', () => {
    const keys = [totalKey({ users: ['a'] }, {}), totalKey({ notUsers: ['a'] }, {}), totalKey({ packages: ['a'] }, {}), totalKey({ users: ['a'] }, { start: 1 })];
    expect(new Set(keys).size).toBe(4);
  });

  it('should tell apart case-sensitive and case-insensitive contains, the default being sensitive', () => {
    const keys = [totalKey({ contains: ['a'] }, {}), totalKey({ contains: ['a'], containsCase: 'insensitive' }, {}), totalKey({ notContains: ['a'], containsCase: 'insensitive' }, {})];
    expect(new Set(keys).size).toBe(3);
    expect(totalKey({ contains: ['a'], containsCase: 'sensitive' }, {})).toBe(keys[0]);
    expect(totalKey({ users: ['a'], containsCase: 'insensitive' }, {})).toBe(totalKey({ users: ['a'] }, {}));
  });

  it('should read an empty list as no filter', () => {
    expect(totalKey({ users: [] }, {})).toBe(totalKey({}, {}));
  });
});
