import type { MessageQuery } from '@statbus/core';
import { containsCaseOf, type ContainsCase } from '../../query/message-text.js';
import { LIST_FILTERS, isTopicPattern, negated, valuesOf } from '../../query/query-filters.js';
import { SQLITE_SIDE_INDEXES, type SqliteSideIndex } from '../schema/sqlite-side-indexes.js';
import { TRIGRAM } from '../text-index/trigram-bitmaps.js';
import type { ContainsAccess, FilterPlan, SideCountNarrowing, SideTableDriver, SqlitePlanContext, Window } from './query-plan.js';

const CAPITAL_SIGMA = '\u03a3';

/** Whether the filters may use the side tables and the text index (`indexes`) or are checked on each row (`rows`). */
export type FilterAccess = 'rows' | 'indexes';

/**
 * How each filter of `query` is checked, in `window`. With `rows`, every filter is checked on the row's own
 * columns and body: for statements that read few rows anyway (the rows archived since a total was counted, a
 * page walked in time order). With `indexes`, users, packages and agents go through their side tables (narrowed
 * by `timeBound` when given) and `contains` through the text index when that is cheaper.
 */
export function planFilters(
  query: MessageQuery,
  window: Window,
  access: FilterAccess,
  context: SqlitePlanContext,
  timeBound?: { readonly descending: boolean; readonly time: number },
): FilterPlan {
  const { statistics } = context;
  const patternTopics = new Map<string, readonly string[] | undefined>();
  for (const topic of [...(valuesOf(query, 'topics') ?? []), ...(valuesOf(query, 'notTopics') ?? [])]) {
    if (isTopicPattern(topic) && !patternTopics.has(topic)) patternTopics.set(topic, statistics.topicsMatching(topic));
  }
  if (access === 'rows') return { query, window, patternTopics, sideFilters: { kind: 'row' }, contains: { kind: 'row' } };
  const contains = valuesOf(query, 'contains');
  return {
    query,
    window,
    patternTopics,
    sideFilters: { kind: 'side-table', indexedUpTo: statistics.sideIndexedUpTo, ...(timeBound === undefined ? {} : { timeBound }) },
    contains: contains === undefined ? { kind: 'row' } : planContains(contains, containsCaseOf(query), context),
  };
}

/**
 * `contains` through the text index, or row by row: when a needle has no trigram, when the window (or, without
 * one, the archive) holds at most `containsScanRows` rows, or when the candidates would cost more to check than
 * the window's rows. The candidates are those of the indexed rows of the window's row-key range; the rows not yet
 * indexed are checked directly. The index holds the trigrams of lower-cased bodies: a body holding a needle
 * exactly holds it lower-cased, so the candidates of the lower-cased needle serve both cases — but for a capital
 * sigma, which lower-cases by its neighbours (σ or final ς), so a case-sensitive needle holding one is checked
 * row by row.
 */
export function planContains(needles: readonly string[], containsCase: ContainsCase, context: SqlitePlanContext): ContainsAccess {
  const { statistics, tuning } = context;
  if (containsCase === 'sensitive' && needles.some((needle) => needle.includes(CAPITAL_SIGMA))) return { kind: 'row' };
  const lowered = needles.map((needle) => needle.toLowerCase());
  if (lowered.some((needle) => needle.length < TRIGRAM)) return { kind: 'row' };
  const window = statistics.windowRows();
  const scanned = window?.count ?? statistics.messageCount();
  if (scanned <= tuning.containsScanRows) return { kind: 'row' };
  const rows = window ?? { first: 1, last: Number.MAX_SAFE_INTEGER };
  const indexedLast = Math.min(rows.last, statistics.textIndexedUpTo);
  const lists = lowered.map((needle) => statistics.textCandidates(needle, rows.first, indexedLast));
  const candidates = lists.length === 1 ? (lists[0] as readonly number[]) : [...new Set(lists.flat())].sort((a, b) => a - b);
  if (scanned * tuning.scanRowCost <= candidates.length) return { kind: 'row' };
  return { kind: 'candidates', rows: candidates, indexedUpTo: statistics.textIndexedUpTo };
}

/** True when the query filters by users, packages or agents (or their `not` forms): what the side tables serve. */
export function hasSideTableFilter(query: MessageQuery): boolean {
  return SQLITE_SIDE_INDEXES.some(({ filter }) => valuesOf(query, filter) !== undefined || valuesOf(query, negated(filter)) !== undefined);
}

/**
 * The side table that can lead a page: the query's first users, packages or agents filter (not negated), its
 * values, and the query without it and its time bounds, whose filters are checked on each row the table leads to.
 */
export function sideTableDriver(query: MessageQuery): SideTableDriver | undefined {
  for (const index of SQLITE_SIDE_INDEXES) {
    const values = valuesOf(query, index.filter);
    if (values === undefined) continue;
    const rest: MessageQuery = { ...query, [index.filter]: undefined, start: undefined, end: undefined, delta: undefined };
    return { index, values, rest };
  }
  return undefined;
}

/**
 * The query's users, packages or agents filter (not negated) when a side table can count it: its only list filter,
 * or with categories or exact topics beside it, which their own index checks for each of the side table's rows
 * without reading the row (see {@link SideCountNarrowing}).
 */
export function sideTableFilter(query: MessageQuery): { index: SqliteSideIndex; values: readonly string[]; narrow?: SideCountNarrowing } | undefined {
  const present = LIST_FILTERS.flatMap((filter) => [filter, negated(filter)] as const).filter((key) => valuesOf(query, key) !== undefined);
  if (present.length === 0 || present.length > 2) return undefined;
  const side = SQLITE_SIDE_INDEXES.find((index) => valuesOf(query, index.filter) !== undefined);
  if (side === undefined) return undefined;
  const values = valuesOf(query, side.filter) as readonly string[];
  if (present.length === 1) return { index: side, values };
  const categories = valuesOf(query, 'categories');
  if (categories !== undefined) return { index: side, values, narrow: { column: 'category', index: 'messages_category_time', values: categories } };
  const topics = valuesOf(query, 'topics');
  if (topics !== undefined && !topics.some(isTopicPattern)) return { index: side, values, narrow: { column: 'topic', index: 'messages_topic_time', values: topics } };
  return undefined;
}

/**
 * Topic and category filters alone, over all time, are counted from the topic summary (O(topics)) with
 * the same WHERE clause: `topic_summary` has the `topic` and `category` columns it reads.
 */
export function summaryCountable(query: MessageQuery, window: Window): boolean {
  if (window.start !== undefined || window.end !== undefined) return false;
  return (['users', 'packages', 'agents', 'contains'] as const).every(
    (filter) => valuesOf(query, filter) === undefined && valuesOf(query, negated(filter)) === undefined,
  );
}
