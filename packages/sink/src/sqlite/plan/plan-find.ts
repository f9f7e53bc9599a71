import type { MessageQuery } from '@statbus/core';
import { isTopicPattern, selectsEverything, valuesOf } from '../../query/query-filters.js';
import { hasSideTableFilter, planFilters, sideTableDriver, sideTableFilter, summaryCountable } from './plan-filters.js';
import type { CountPlan, FindPlan, PageRequest, SqlitePlanContext, Window } from './query-plan.js';

/**
 * How to read one page of `query` (already checked) and its exact total: a pure decision from the query, the
 * page asked for and what `context`'s statistics say. See {@link FindPlan} for the strategies.
 */
export function planFind(query: MessageQuery, request: PageRequest, context: SqlitePlanContext): FindPlan {
  const { window, descending } = request;
  const contains = valuesOf(query, 'contains') !== undefined;
  // `contains` counts and pages from one pass over its candidates: a side-table bound would cut the count short.
  const driver = request.fromCursor || contains ? undefined : sideTableDriver(query);
  const bound = driver === undefined ? undefined : context.statistics.sideTableBound(driver, descending, request.page * request.rowsPerPage + 1);
  const known = knownTotal(query, context);
  if (known === 0) return { kind: 'empty', filters: planFilters(query, window, 'rows', context) };
  if (known !== undefined && bound === undefined && walkIsCheap(query, window, known, request.skip + request.rowsPerPage + 1, context)) {
    return { kind: 'walk', total: known, filters: planFilters(query, window, 'rows', context) };
  }
  if (bound !== undefined) {
    return { kind: 'side-table', bound, count: countPlanOf(query, window, known, context), filters: planFilters(query, window, 'indexes', context, { descending, time: bound }) };
  }
  const filters = planFilters(query, window, 'indexes', context);
  if (contains) return { kind: 'text', filters };
  const timeIndexFrom = timeIndexShare(query, window, context);
  return { kind: 'indexes', count: countPlanOf(query, window, known, context), ...(timeIndexFrom === undefined ? {} : { timeIndexFrom }), filters };
}

/** How to count the matches of `query` (already checked) in `window` exactly. */
export function planCount(query: MessageQuery, window: Window, context: SqlitePlanContext): CountPlan {
  return countPlanOf(query, window, knownTotal(query, context), context);
}

/** The total known without counting: the maintained counter when nothing filters, else a kept total. */
function knownTotal(query: MessageQuery, context: SqlitePlanContext): number | undefined {
  return selectsEverything(query) ? context.statistics.messageCount() : context.statistics.keptTotal(query);
}

function countPlanOf(query: MessageQuery, window: Window, known: number | undefined, context: SqlitePlanContext): CountPlan {
  if (known !== undefined) return { kind: 'known', total: known };
  const side = sideTableFilter(query);
  if (side !== undefined) return { kind: 'side-table', ...side, window, indexedUpTo: context.statistics.sideIndexedUpTo };
  const filters = planFilters(query, window, 'indexes', context);
  return summaryCountable(query, window) ? { kind: 'summary', filters } : { kind: 'rows', filters };
}

/**
 * True when a page walked in time order reads few rows: for `contains` and for filters whose indexes cannot
 * give the page in time order (a user or package with another filter), the window's rows per match times the
 * rows wanted stays within `walkMaxRows`.
 */
function walkIsCheap(query: MessageQuery, window: Window, total: number, wanted: number, context: SqlitePlanContext): boolean {
  if (total === 0) return false;
  const walked = valuesOf(query, 'contains') !== undefined || valuesOf(query, 'notContains') !== undefined || hasSideTableFilter(query);
  if (!walked) return false;
  const affordable = Math.floor((context.tuning.walkMaxRows * total) / wanted);
  if (window.start === undefined && window.end === undefined) return context.statistics.messageCount() <= affordable;
  return context.statistics.windowRowsUpTo(affordable) <= affordable;
}

/**
 * SQLite reads a topic or category index and sorts when a filter on them is present; when they select a large
 * share of the messages, walking the time index in order and stopping at the page end is far cheaper. Returns the
 * total from which the page walks the time index, or undefined when it never should.
 */
function timeIndexShare(query: MessageQuery, window: Window, context: SqlitePlanContext): number | undefined {
  if (!summaryCountable(query, window)) return undefined;
  const topics = valuesOf(query, 'topics');
  const categories = valuesOf(query, 'categories');
  if (topics === undefined && categories === undefined) return undefined;
  // One exact topic, or one category, alone: its own index already reads the matches in time order.
  if (categories === undefined && topics?.length === 1 && !isTopicPattern(topics[0] as string)) return undefined;
  if (topics === undefined && categories?.length === 1) return undefined;
  return context.tuning.driveByTimeShare * context.statistics.messageCount();
}
