import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../query/keyset-cursor.js';
import { toMongoFilter } from './to-mongo-filter.js';

describe(toMongoFilter, () => {
  describe('when the query has no filter', () => {
    it('should select everything newest first, first page of 25', () => {
      expect(toMongoFilter({})).toMatchObject({ filter: {}, pageFilter: {}, sort: { time: -1, _id: -1 }, skip: 0, limit: 26, page: 1 });
    });
  });
  describe('when filters are combined', () => {
    it('should OR values with $in, AND filters with $and and turn not forms into $nor', () => {
      const plan = toMongoFilter({ start: 10, end: 20, users: ['a', 'b'], notAgents: ['c'], topics: ['x.y.z.w.v', 'x.y.#'] });
      expect(plan.filter).toEqual({
        $and: [
          { time: { $gte: 10, $lt: 20 } },
          { $or: [{ topic: { $in: ['x.y.z.w.v'] } }, { topic: { $regex: '^x\\.y(?:\\.[^.]+)*$' } }] },
          { users: { $in: ['a', 'b'] } },
          { $nor: [{ agent: { $in: ['c'] } }] },
        ],
      });
    });
  });
  describe('when contains is given', () => {
    it('should search the text for the escaped needles, letters as they are', () => {
      expect(toMongoFilter({ contains: ['A.B', '(x)'] }).filter).toEqual({ text: { $regex: 'A\\.B|\\(x\\)' } });
    });
    it('should add the i option when containsCase is insensitive, to notContains too', () => {
      expect(toMongoFilter({ notContains: ['A.B'], containsCase: 'insensitive' }).filter).toEqual({ $nor: [{ text: { $regex: 'A\\.B', $options: 'i' } }] });
    });
  });
  describe('when delta is given without end', () => {
    it('should end the window at now', () => {
      expect(toMongoFilter({ delta: 5 }, 100).filter).toEqual({ time: { $gte: 95, $lt: 100 } });
    });
  });
  describe('when a page number is given', () => {
    it('should skip the earlier pages', () => {
      expect(toMongoFilter({ page: 3, rowsPerPage: 10, order: 'asc' })).toMatchObject({ skip: 20, limit: 11, sort: { time: 1, _id: 1 } });
    });
  });
  describe('when a cursor is given', () => {
    it('should add the keyset condition to the page filter only, and keep the cursor window', () => {
      const query = { categories: ['koji'], delta: 1000 };
      const cursor = encodeCursor(query, { time: 500, id: 'm5', page: 4, window: { start: 0, end: 1000 } });
      const plan = toMongoFilter({ ...query, cursor }, 99_999);
      expect(plan.filter).toEqual({ $and: [{ time: { $gte: 0, $lt: 1000 } }, { category: { $in: ['koji'] } }] });
      expect(plan.pageFilter).toEqual({
        $and: [
          { time: { $gte: 0, $lt: 1000 } },
          { category: { $in: ['koji'] } },
          { $or: [{ time: { $lt: 500 } }, { time: 500, _id: { $lt: 'm5' } }] },
        ],
      });
      expect(plan).toMatchObject({ skip: 0, page: 4 });
    });
    it('should reject a cursor of another query with a QueryError naming cursor', () => {
      const cursor = encodeCursor({ categories: ['koji'] }, { time: 1, id: 'a', page: 2, window: {} });
      expect(() => toMongoFilter({ categories: ['copr'], cursor })).toThrow(expect.objectContaining({ field: 'cursor' }) as Error);
    });
  });
  describe('when a topic pattern is malformed', () => {
    it('should throw a QueryError naming topics', () => {
      expect(() => toMongoFilter({ notTopics: ['a.b*'] })).toThrow(expect.objectContaining({ field: 'notTopics' }) as Error);
    });
  });
});
