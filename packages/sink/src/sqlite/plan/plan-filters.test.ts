import { describe, expect, it } from 'vitest';
import { SQLITE_TUNING_DEFAULTS } from '../sqlite-tuning.js';
import { planContains, planFilters } from './plan-filters.js';
import type { PlanStatistics, SqlitePlanContext } from './query-plan.js';
import { buildWhere } from './sqlite-where.js';

function contextOf(over: Partial<PlanStatistics> = {}): SqlitePlanContext {
  const statistics: PlanStatistics = {
    messageCount: () => 100_000,
    textIndexedUpTo: 90_000,
    sideIndexedUpTo: 80_000,
    topicsMatching: () => undefined,
    windowRows: () => undefined,
    windowRowsUpTo: (limit) => limit + 1,
    keptTotal: () => undefined,
    sideTableBound: () => undefined,
    textCandidates: () => [],
    ...over,
  };
  return { statistics, tuning: SQLITE_TUNING_DEFAULTS };
}

describe(planContains, () => {
  it('should check rows one by one for a needle without a trigram', () => {
    expect(planContains(['ab'], contextOf({ textCandidates: () => expect.fail('not asked') }))).toEqual({ kind: 'row' });
  });
  it('should ask for the candidates of the window\'s indexed rows, lower-cased', () => {
    const asked: [string, number, number][] = [];
    const context = contextOf({
      windowRows: () => ({ first: 50_000, last: 95_000, count: 45_000 }),
      textCandidates: (needle, first, last) => (asked.push([needle, first, last]), [60_000]),
    });
    expect(planContains(['Kernel'], context)).toEqual({ kind: 'candidates', rows: [60_000], indexedUpTo: 90_000 });
    expect(asked).toEqual([['kernel', 50_000, 90_000]]);
  });
  it('should merge the candidates of several needles in ascending order, once each', () => {
    const lists: Record<string, number[]> = { kernel: [5, 9], glibc: [2, 9] };
    const context = contextOf({ textCandidates: (needle) => lists[needle] ?? [] });
    expect(planContains(['kernel', 'glibc'], context)).toEqual({ kind: 'candidates', rows: [2, 5, 9], indexedUpTo: 90_000 });
  });
  it('should check the rows when the candidates cost more than the rows they come from', () => {
    const context = contextOf({ windowRows: () => ({ first: 1, last: 20_000, count: 20_000 }), textCandidates: () => Array.from({ length: 10_000 }, (_, i) => i + 1) });
    expect(planContains(['kernel'], context)).toEqual({ kind: 'row' });
  });
});

describe(planFilters, () => {
  it('should check every filter on the row with rows access', () => {
    const plan = planFilters({ users: ['alice'], contains: ['kernel'] }, {}, 'rows', contextOf({ textCandidates: () => expect.fail('not asked') }));
    expect([plan.sideFilters, plan.contains]).toEqual([{ kind: 'row' }, { kind: 'row' }]);
    expect(buildWhere(plan).sql).not.toContain('message_users');
  });
  it('should read the side tables up to their counter with indexes access', () => {
    const plan = planFilters({ users: ['alice'] }, { start: 5 }, 'indexes', contextOf());
    expect(plan.sideFilters).toEqual({ kind: 'side-table', indexedUpTo: 80_000 });
    const where = buildWhere(plan);
    expect(where.sql).toContain('message_users');
    expect(where.params).toEqual([5, 'alice', 80_000, 'alice']);
  });
  it('should build the candidates and the rows not yet indexed into the contains condition', () => {
    const plan = planFilters({ contains: ['kernel'] }, {}, 'indexes', contextOf({ textCandidates: () => [7, 8] }));
    const where = buildWhere(plan);
    expect(where.sql).toContain('json_each(?)');
    expect(where.params.slice(0, 2)).toEqual(['[7,8]', 90_000]);
  });
});
