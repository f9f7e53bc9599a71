import type { MessageQuery } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { SQLITE_TUNING_DEFAULTS, type SqliteTuning } from '../sqlite-tuning.js';
import { planContains, planFilters } from './plan-filters.js';
import { planCount, planFind } from './plan-find.js';
import type { PageRequest, PlanStatistics, SideTableDriver, SqlitePlanContext } from './query-plan.js';
import { buildWhere } from './sqlite-where.js';

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
      expect(plan).toMatchObject({ kind: 'side-table', bound: 1234, count: { kind: 'side-table', narrow: { column: 'topic' } } });
      expect(plan.filters.sideFilters).toEqual({ kind: 'side-table', indexedUpTo: MESSAGES, timeBound: { descending: true, time: 1234 } });
      expect(asked.map(([driver, descending, wanted]) => [driver.index.filter, driver.values, driver.rest.users, descending, wanted])).toEqual([
        ['users', ['alice'], undefined, true, 31],
      ]);
    });
    it('should count one side filter alone from its side table', () => {
      expect(planFind({ packages: ['kernel'] }, request(), contextOf())).toMatchObject({ kind: 'indexes', count: { kind: 'side-table', values: ['kernel'] } });
    });
    it('should count a side filter with categories or exact topics from its side table, checked on their index', () => {
      expect(planCount({ users: ['alice'], categories: ['koji'] }, {}, contextOf())).toMatchObject({
        kind: 'side-table',
        values: ['alice'],
        narrow: { column: 'category', index: 'messages_category_time', values: ['koji'] },
      });
      expect(planCount({ packages: ['kernel'], topics: ['org.a.prod.x.y'] }, {}, contextOf())).toMatchObject({ kind: 'side-table', narrow: { column: 'topic', values: ['org.a.prod.x.y'] } });
      expect(planCount({ users: ['alice'], topics: ['org.a.prod.#'] }, {}, contextOf()).kind, 'a topic pattern').toBe('rows');
      expect(planCount({ users: ['alice'], notCategories: ['koji'] }, {}, contextOf()).kind, 'a negated filter').toBe('rows');
      expect(planCount({ users: ['alice'], categories: ['koji'], packages: ['kernel'] }, {}, contextOf()).kind, 'three filters').toBe('rows');
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
    it('should read no row when the kept total is 0', () => {
      expect(planFind({ contains: ['kernel'] }, request(), contextOf({ keptTotal: () => 0 })).kind).toBe('empty');
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

/** An archive of 100,000 messages, text-indexed up to 90,000 and side-indexed up to 80,000. */
function smallContext(over: Partial<PlanStatistics> = {}): SqlitePlanContext {
  return contextOf({ messageCount: () => 100_000, textIndexedUpTo: 90_000, sideIndexedUpTo: 80_000, ...over });
}

describe(planContains, () => {
  it('should check rows one by one for a needle without a trigram', () => {
    expect(planContains(['ab'], 'sensitive', smallContext({ textCandidates: () => expect.fail('not asked') }))).toEqual({ kind: 'row' });
  });
  it('should check rows one by one for a case-sensitive needle holding a capital sigma, which lower-cases by context', () => {
    const context = smallContext({ textCandidates: () => expect.fail('not asked') });
    expect(planContains(['ΟΔΟΣ'], 'sensitive', context)).toEqual({ kind: 'row' });
  });
  it('should ask for the candidates of the window\'s indexed rows, lower-cased, whatever the case', () => {
    const asked: [string, number, number][] = [];
    const context = smallContext({
      windowRows: () => ({ first: 50_000, last: 95_000, count: 45_000 }),
      textCandidates: (needle, first, last) => (asked.push([needle, first, last]), [60_000]),
    });
    expect(planContains(['Kernel'], 'sensitive', context)).toEqual({ kind: 'candidates', rows: [60_000], indexedUpTo: 90_000 });
    expect(asked).toEqual([['kernel', 50_000, 90_000]]);
  });
  it('should merge the candidates of several needles in ascending order, once each', () => {
    const lists: Record<string, number[]> = { kernel: [5, 9], glibc: [2, 9] };
    const context = smallContext({ textCandidates: (needle) => lists[needle] ?? [] });
    expect(planContains(['kernel', 'glibc'], 'insensitive', context)).toEqual({ kind: 'candidates', rows: [2, 5, 9], indexedUpTo: 90_000 });
  });
  it('should check the rows when the candidates cost more than the rows they come from', () => {
    const context = smallContext({ windowRows: () => ({ first: 1, last: 20_000, count: 20_000 }), textCandidates: () => Array.from({ length: 10_000 }, (_, i) => i + 1) });
    expect(planContains(['kernel'], 'sensitive', context)).toEqual({ kind: 'row' });
  });
});

describe(planFilters, () => {
  it('should check every filter on the row with rows access', () => {
    const plan = planFilters({ users: ['alice'], contains: ['kernel'] }, {}, 'rows', smallContext({ textCandidates: () => expect.fail('not asked') }));
    expect([plan.sideFilters, plan.contains]).toEqual([{ kind: 'row' }, { kind: 'row' }]);
    expect(buildWhere(plan).sql).not.toContain('message_users');
  });
  it('should read the side tables up to their counter with indexes access', () => {
    const plan = planFilters({ users: ['alice'] }, { start: 5 }, 'indexes', smallContext());
    expect(plan.sideFilters).toEqual({ kind: 'side-table', indexedUpTo: 80_000 });
    const where = buildWhere(plan);
    expect(where.sql).toContain('message_users');
    expect(where.params).toEqual([5, 'alice', 80_000, 'alice']);
  });
  it('should build the candidates and the rows not yet indexed into the contains condition', () => {
    const plan = planFilters({ contains: ['kernel'] }, {}, 'indexes', smallContext({ textCandidates: () => [7, 8] }));
    const where = buildWhere(plan);
    expect(where.sql).toContain('json_each(?)');
    expect(where.params.slice(0, 2)).toEqual(['[7,8]', 90_000]);
  });
});
