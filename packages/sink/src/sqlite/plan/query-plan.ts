import type { MessageQuery } from '@statbus/core';
import type { SqliteSideIndex } from '../schema/sqlite-side-indexes.js';
import type { SqliteTuning } from '../sqlite-tuning.js';

/** A resolved time window: `start` inclusive, `end` exclusive (ms). */
export interface Window {
  readonly start?: number;
  readonly end?: number;
}

/** How the users, packages and agents filters of a query are checked. */
export type SideFilterAccess =
  /** On each row's own `users`, `packages` and `agent` columns: for statements that read few rows anyway. */
  | { readonly kind: 'row' }
  /**
   * Through the side tables for rows up to `indexedUpTo`, on the row's own columns past it. `timeBound`, when
   * given, is a time the wanted rows of a page cannot pass (it narrows the side-table part).
   */
  | { readonly kind: 'side-table'; readonly indexedUpTo: number; readonly timeBound?: { readonly descending: boolean; readonly time: number } };

/** How a `contains` filter is checked. Either way the body itself decides; the text index only narrows. */
export type ContainsAccess =
  /** The body of every row the other filters leave. */
  | { readonly kind: 'row' }
  /** The body of the text index's candidates (`rows`, ascending) and of every row past `indexedUpTo` (not yet indexed). */
  | { readonly kind: 'candidates'; readonly rows: readonly number[]; readonly indexedUpTo: number };

/** Everything the WHERE clause of a query over `messages m` is built from. */
export interface FilterPlan {
  readonly query: MessageQuery;
  readonly window: Window;
  /** For each topic pattern of `topics` and `notTopics`: the stored topics it matches, or undefined to match row by row. */
  readonly patternTopics: ReadonlyMap<string, readonly string[] | undefined>;
  readonly sideFilters: SideFilterAccess;
  readonly contains: ContainsAccess;
}

/**
 * Categories or exact topics beside a side table's filter in a count: each row of the side table is checked on the
 * index of `(column, time)`, which holds its `(value, time, n)` without reading the message, where a check on
 * the message itself would read one row of the table per match.
 */
export interface SideCountNarrowing {
  readonly column: 'category' | 'topic';
  readonly index: 'messages_category_time' | 'messages_topic_time';
  readonly values: readonly string[];
}

/** How the exact number of matches is found. */
export type CountPlan =
  /** Known without counting: the maintained counter (no filter) or a total kept and brought up to date. */
  | { readonly kind: 'known'; readonly total: number }
  /** Topic and category filters alone over all time: a sum over the topic summary. */
  | { readonly kind: 'summary'; readonly filters: FilterPlan }
  /**
   * One users, packages or agents filter, alone or narrowed by categories or exact topics: the distinct messages of
   * the side table (each checked on the narrowing's index), plus the rows past it.
   */
  | {
      readonly kind: 'side-table';
      readonly index: SqliteSideIndex;
      readonly values: readonly string[];
      readonly narrow?: SideCountNarrowing;
      readonly window: Window;
      readonly indexedUpTo: number;
    }
  /** Anything else: the rows the WHERE clause selects. */
  | { readonly kind: 'rows'; readonly filters: FilterPlan };

/** How a page of `find` is read. */
export type FindPlan =
  /** The total is known to be 0 (a kept total, or an empty archive): no row is read. */
  | { readonly kind: 'empty'; readonly filters: FilterPlan }
  /**
   * Walk the time index newest (or oldest) first, checking each row on its own columns: chosen when the total is
   * known and the window holds few rows per match (`contains`, or filters whose indexes cannot give time order).
   */
  | { readonly kind: 'walk'; readonly total: number; readonly filters: FilterPlan }
  /** `contains`: the matches' keys are collected once, giving both the total and the page's keys. */
  | { readonly kind: 'text'; readonly filters: FilterPlan }
  /**
   * A users, packages or agents filter: a time bound read from its side table leaves a few rows, looked up by
   * row key. The total is counted by `count` (without the bound).
   */
  | { readonly kind: 'side-table'; readonly bound: number; readonly count: CountPlan; readonly filters: FilterPlan }
  /**
   * The indexes SQLite chooses, after counting by `count`; once the total reaches `timeIndexFrom` the page walks
   * the time index instead (a topic or category filter selecting a large share of the archive).
   */
  | { readonly kind: 'indexes'; readonly count: CountPlan; readonly timeIndexFrom?: number; readonly filters: FilterPlan };

/** The page `find` is asked for, resolved from the query or its cursor. */
export interface PageRequest {
  readonly window: Window;
  readonly page: number;
  readonly rowsPerPage: number;
  /** Rows to pass before the page (0 with a cursor). */
  readonly skip: number;
  readonly descending: boolean;
  /** True when a cursor gives the page's start. */
  readonly fromCursor: boolean;
}

/** A side table that can lead a page: its index, the filter's values and the query without it (nor its window). */
export interface SideTableDriver {
  readonly index: SqliteSideIndex;
  readonly values: readonly string[];
  readonly rest: MessageQuery;
}

/**
 * What the archive says about itself, read in the transaction of the query being planned, for one time window.
 * Methods are asked only when the plan needs their answer (each may read the file).
 */
export interface PlanStatistics {
  /** Rows stored (the maintained counter). */
  messageCount(): number;
  /** Rows with `n` above this are not yet in the text index. */
  readonly textIndexedUpTo: number;
  /** Rows with `n` above this are not yet in the users, packages and agents tables. */
  readonly sideIndexedUpTo: number;
  /** The stored topics a pattern matches (from the topic summary), or undefined when they are too many to list. */
  topicsMatching(pattern: string): readonly string[] | undefined;
  /** The smallest and largest `n` in the window and its number of rows; undefined without a window. */
  windowRows(): { readonly first: number; readonly last: number; readonly count: number } | undefined;
  /** The rows in the window, or any number above `limit` when there are more. */
  windowRowsUpTo(limit: number): number;
  /** The exact total of the query's filter set in this window when one is kept (brought up to date); undefined otherwise. */
  keptTotal(query: MessageQuery): number | undefined;
  /**
   * The time of the `wanted × values`-th entry of the driver's side table in the window, in the page's order,
   * among those whose message passes the driver's other filters: a bound the first `wanted` matches cannot cross.
   */
  sideTableBound(driver: SideTableDriver, descending: boolean, wanted: number): number | undefined;
  /** The text index's candidates for a lower-cased needle among the indexed rows `first … last`, ascending. */
  textCandidates(needle: string, first: number, last: number): readonly number[];
}

/** What plans are made from: the archive's statistics and the store's tuning. */
export interface SqlitePlanContext {
  readonly statistics: PlanStatistics;
  readonly tuning: SqliteTuning;
}
