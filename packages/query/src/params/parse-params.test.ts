import { describe, expect, it } from 'vitest';
import { checkCallback, parseParams } from './parse-params.js';
import { parseDelta, parseTime } from './parse-time.js';

describe(parseTime, () => {
  describe('when given epoch seconds or ISO 8601', () => {
    it.each([
      ['1700000000', 1_700_000_000_000],
      ['1700000000.25', 1_700_000_000_250],
      ['2024-01-31T12:00:00Z', Date.UTC(2024, 0, 31, 12)],
      ['2024-01-31T12:00:00', Date.UTC(2024, 0, 31, 12)],
      ['2024-01-31T14:00:00+02:00', Date.UTC(2024, 0, 31, 12)],
      ['2024-01-31', Date.UTC(2024, 0, 31)],
    ])('should read %s as milliseconds', (value, expected) => {
      expect(parseTime('start', value)).toBe(expected);
    });
  });
  describe('when given anything else', () => {
    it.each(['yesterday', '', '2024-13-45', '1e400', '-5'])('should throw a QueryError naming the parameter for %j', (value) => {
      expect(() => parseTime('end', value)).toThrow(expect.objectContaining({ field: 'end' }) as Error);
    });
  });
});

describe(parseDelta, () => {
  it('should read fractional seconds and refuse zero', () => {
    expect(parseDelta('1.5')).toBe(1500);
    expect(() => parseDelta('0')).toThrow(expect.objectContaining({ field: 'delta' }) as Error);
  });
});

describe(checkCallback, () => {
  it.each(['cb', 'jQuery1_2', 'a.b.$c'])('should accept %s', (name) => expect(checkCallback(name)).toBe(name));
  it.each(['alert(1)', '1abc', 'a..b', 'a b', 'x'.repeat(200)])('should refuse %s', (name) => {
    expect(() => checkCallback(name)).toThrow(expect.objectContaining({ field: 'callback' }) as Error);
  });
});

describe(parseParams, () => {
  describe('when filters repeat', () => {
    it('should collect every value, and map each parameter to its query field', () => {
      const parsed = parseParams({ topic: ['a.b.c', 'a.b.#'], not_user: 'kevin', contains: '.*', meta: 'usernames,packages' }, ['time', 'filters', 'paging'], 100);
      expect(parsed.query).toEqual({ topics: ['a.b.c', 'a.b.#'], notUsers: ['kevin'], contains: ['.*'] });
      expect(parsed.meta).toEqual(['usernames', 'packages']);
    });
  });
  describe('when contains_case is given', () => {
    it('should set containsCase, and refuse any value but sensitive or insensitive', () => {
      expect(parseParams({ contains: 'Kernel', contains_case: 'insensitive' }, ['filters'], 100).query).toEqual({ contains: ['Kernel'], containsCase: 'insensitive' });
      expect(() => parseParams({ contains: 'x', contains_case: 'folded' }, ['filters'], 100)).toThrow(expect.objectContaining({ field: 'contains_case' }) as Error);
    });
  });
  describe('when only end is given', () => {
    it('should ask for the 600 seconds before it, as datagrepper does', () => {
      expect(parseParams({ end: '1000' }, ['time'], 100).query).toEqual({ end: 1_000_000, delta: 600_000 });
    });
  });
  describe('when a parameter does not belong to the endpoint', () => {
    it('should throw a QueryError naming it', () => {
      expect(() => parseParams({ page: '2' }, ['filters'], 100)).toThrow(expect.objectContaining({ field: 'page' }) as Error);
    });
  });
  describe('when presentation parameters are given', () => {
    it('should accept datagrepper\'s and jQuery\'s', () => {
      expect(() => parseParams({ chrome: 'false', size: 'small', is_raw: 'true', grouped: 'true', _: '123', callback: 'cb' }, [], 100)).not.toThrow();
    });
  });
});
