import type { MessageQuery } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { SQLITE_TUNING_DEFAULTS, type SqliteTuning } from '../sqlite-tuning.js';
import { planCount, planFind } from './plan-find.js';
import type { PageRequest, PlanStatistics, SideTableDriver, SqlitePlanContext } from './query-plan.js';

const MESSAGES = 1_000_000;

/** Statistics of an archive of a million messages, all indexed, nothing kept; `over` replaces any answer. */
function contextOf(over: Partial<PlanStatistics> = {}, tuning: Partial<SqliteTuning> = {}): SqlitePlanContext {
  const statistics: PlanStatistics = {
    messageCount: () => MESSAGES,
    textIndexedUpTo: MESSAGES,
    sideIndexedUpTo: MESSAGES,
    topicsMatching: () => undefined,
    windowRows: () => undefined,
    windowRowsUpTo: (limit) => limit + 1,
    keptTotal: () => undefined,
    sideTableBound: () => undefined,
    textCandidates: () => [],
    ...over,
  };
  return { statistics, tuning: { ...SQLITE_TUNING_DEFAULTS, ...tuning } };
}

function request(over: Partial<PageRequest> = {}): PageRequest {
  return { window: {}, page: 1, rowsPerPage: 25, skip: 0, descending: true, fromCursor: false, ...over };
}

describe(planFind, () => {
  describe('when nothing filters', () => {
    it('should page through the indexes with the maintained counter as the total', () => {
      const plan = planFind({}, request(), contextOf());
      expect(plan).toMatchObject({ kind: 'indexes', count: { kind: 'known', total: MESSAGES } });
      expect(plan.kind === 'indexes' && plan.timeIndexFrom).toBeFalsy();
    });
  });

  describe('when topics or categories filter over all time', () => {
    it('should count one exact topic from the topic summary and let its own index order the page', () => {
      const plan = planFind({ topics: ['org.a.prod.x.y'] }, request(), contextOf());
      expect(plan).toMatchObject({ kind: 'indexes', count: { kind: 'summary' } });
      expect(plan.kind === 'indexes' && plan.timeIndexFrom).toBeFalsy();
    });
    it('should walk the time index once two topics select the configured share of the archive', () => {
      const plan = planFind({ topics: ['org.a.prod.x.y', 'org.a.prod.x.z'] }, request(), contextOf({}, { driveByTimeShare: 0.1 }));
      expect(plan).toMatchObject({ kind: 'indexes', timeIndexFrom: 0.1 * MESSAGES, count: { kind: 'summary' } });
    });
    it('should count the rows when a window bounds the query', () => {
      expect(planFind({ categories: ['bodhi'], start: 0, end: 10 }, request({ window: { start: 0, end: 10 } }), contextOf())).toMatchObject({
        kind: 'indexes',
        count: { kind: 'rows' },
      });
    });
    it('should expand a pattern into the stored topics it matches', () => {
      const plan = planFind({ topics: ['org.a.prod.#'] }, request(), contextOf({ topicsMatching: () => ['org.a.prod.x.y'] }));
      expect([...plan.filters.patternTopics]).toEqual([['org.a.prod.#', ['org.a.prod.x.y']]]);
    });
  });

  describe('when a users, packages or agents filter can lead the page', () => {
    it('should bound the page by the side table, asking for the rows up to the end of the page', () => {
      const asked: [SideTableDriver, boolean, number][] = [];
      const context = contextOf({ sideTableBound: (driver, descending, wanted) => (asked.push([driver, descending, wanted]), 1234) });
      const plan = planFind({ users: ['alice'], topics: ['org.a.prod.x.y'] }, request({ page: 3, rowsPerPage: 10 }), context);
      expect(plan).toMatchObject({ kind: 'side-table', bound: 1234, count: { kind: 'rows' } });
      expect(plan.filters.sideFilters).toEqual({ kind: 'side-table', indexedUpTo: MESSAGES, timeBound: { descending: true, time: 1234 } });
      expect(asked.map(([driver, descending, wanted]) => [driver.index.filter, driver.values, driver.rest.users, descending, wanted])).toEqual([
        ['users', ['alice'], undefined, true, 31],
      ]);
    });
    it('should count one side filter alone from its side table', () => {
      expect(planFind({ packages: ['kernel'] }, request(), contextOf())).toMatchObject({ kind: 'indexes', count: { kind: 'side-table', values: ['kernel'] } });
    });
    it('should not ask for a bound when a cursor gives the page', () => {
      const context = contextOf({ sideTableBound: () => expect.fail('no bound with a cursor') });
      expect(planFind({ users: ['alice'] }, request({ fromCursor: true }), context).kind).toBe('indexes');
    });
  });

  describe('when the query has contains', () => {
    it('should collect the matches once for total and page, through the text index on a large archive', () => {
      const plan = planFind({ contains: ['Kernel'] }, request(), contextOf({ textCandidates: () => [3, 9] }));
      expect(plan).toMatchObject({ kind: 'text', filters: { contains: { kind: 'candidates', rows: [3, 9], indexedUpTo: MESSAGES } } });
    });
    it('should walk the time index when the total is kept and the archive holds few rows per match', () => {
      const context = contextOf({ keptTotal: () => 50_000 });
      const plan = planFind({ contains: ['kernel'] }, request(), context);
      expect(plan).toEqual({ kind: 'walk', total: 50_000, filters: expect.objectContaining({ contains: { kind: 'row' }, sideFilters: { kind: 'row' } }) as unknown });
    });
    it('should not walk when the window holds more rows than the walk affords', () => {
      const limits: number[] = [];
      const context = contextOf({ keptTotal: () => 100, windowRowsUpTo: (limit) => (limits.push(limit), limit + 1) });
      const plan = planFind({ contains: ['kernel'], start: 0, end: 10 }, request({ window: { start: 0, end: 10 } }), context);
      expect(plan.kind).toBe('text');
      // 4,000 rows walked at most, for 26 rows wanted at one match in every (window ÷ total) rows.
      expect(limits).toEqual([Math.floor((4000 * 100) / 26)]);
    });
    it('should never walk to an empty page', () => {
      expect(planFind({ contains: ['kernel'] }, request(), contextOf({ keptTotal: () => 0 })).kind).toBe('text');
    });
  });
});

describe(planCount, () => {
  const query: MessageQuery = { contains: ['kernel'] };
  it('should answer a kept total without counting', () => {
    expect(planCount(query, {}, contextOf({ keptTotal: () => 7 }))).toEqual({ kind: 'known', total: 7 });
  });
  it('should check every row when the archive is within containsScanRows', () => {
    const context = contextOf({ messageCount: () => 500, textCandidates: () => expect.fail('the index is not read') });
    expect(planCount(query, {}, context)).toMatchObject({ kind: 'rows', filters: { contains: { kind: 'row' } } });
  });
  it('should ask the index whatever the size when containsScanRows is 0', () => {
    const context = contextOf({ messageCount: () => 500, textCandidates: () => [1] }, { containsScanRows: 0 });
    expect(planCount(query, {}, context)).toMatchObject({ kind: 'rows', filters: { contains: { kind: 'candidates', rows: [1] } } });
  });
});
