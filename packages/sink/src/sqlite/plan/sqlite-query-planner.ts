import type { MessageQuery } from '@statbus/core';
import { LIST_FILTERS, isTopicPattern, negated, selectsEverything, valuesOf } from '../../query/query-filters.js';
import { SQLITE_SIDE_INDEXES, type SqliteSideIndex } from '../schema/sqlite-side-indexes.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { readStoreCounter } from '../schema/sqlite-store-counter.js';
import { placeholders } from '../schema/sql-fragment.js';
import { TOPIC_MATCH_FUNCTION } from '../schema/sqlite-functions.js';
import { buildSqliteWhere, type SqlitePlanContext } from './sqlite-where.js';
import type { SqliteTextCandidates } from '../text-index/sqlite-text-candidates.js';

/** A pattern matching more stored topics than this is matched row by row instead of as a list of topics. */
const MAX_EXPANDED_TOPICS = 500;
/** Below this share of all messages, a topic/category filter reads its own index; above, the time index. */
const DRIVE_BY_TIME_SHARE = 0.02;

type Param = string | number;
type Window = { start?: number; end?: number };

/**
 * What the store knows that makes a query cheaper, and the counts read from summaries and side tables instead
 * of from `messages`. Every method reads in the caller's transaction.
 */
export class SqliteQueryPlanner {
  constructor(
    private readonly statements: SqliteStatementCache,
    private readonly text: SqliteTextCandidates,
    private readonly containsScanRows: number,
  ) {}

  planContext(window: Window): SqlitePlanContext {
    const candidates = new Map<string, readonly number[]>();
    return {
      textIndexedUpTo: readStoreCounter(this.statements, 'text_indexed'),
      sideIndexedUpTo: readStoreCounter(this.statements, 'side_indexed'),
      topicsMatching: (pattern) => {
        const topics = this.statements
          .get(`SELECT topic FROM topic_summary WHERE ${TOPIC_MATCH_FUNCTION}(?, topic) LIMIT ?`)
          .pluck()
          .all(pattern, MAX_EXPANDED_TOPICS + 1) as string[];
        return topics.length > MAX_EXPANDED_TOPICS ? undefined : topics;
      },
      windowRows: () => {
        if (window.start === undefined && window.end === undefined) return undefined;
        const [first, last, count] = this.statements
          .get('SELECT min(n), max(n), count(*) FROM messages WHERE time >= ? AND time < ?')
          .raw()
          .get(window.start ?? Number.MIN_SAFE_INTEGER, window.end ?? Number.MAX_SAFE_INTEGER) as [number | null, number | null, number];
        return first === null || last === null ? { first: 1, last: 0, count: 0 } : { first, last, count };
      },
      messageCount: () => this.messageCount(),
      containsScanRows: this.containsScanRows,
      textCandidates: (needle, first, last) => {
        // A page and its count build the same condition: the index is read once per query.
        const key = `${first} ${last} ${needle}`;
        let found = candidates.get(key);
        if (found === undefined) candidates.set(key, (found = this.text.candidates(needle, first, last)));
        return found;
      },
    };
  }

  /** Rows stored (the maintained counter). */
  messageCount(): number {
    return readStoreCounter(this.statements, 'messages');
  }

  /**
   * SQLite reads a topic or category index and sorts when a filter on them is present; when they select a
   * large share of the messages, walking the time index in order and stopping at the page end is far cheaper.
   */
  driveByTime(query: MessageQuery, window: Window, total: number): boolean {
    if (!summaryCountable(query, window)) return false;
    const topics = valuesOf(query, 'topics');
    const categories = valuesOf(query, 'categories');
    if (topics === undefined && categories === undefined) return false;
    // One exact topic, or one category, alone: its own index already reads the matches in time order.
    if (categories === undefined && topics?.length === 1 && !isTopicPattern(topics[0] as string)) return false;
    if (topics === undefined && categories?.length === 1) return false;
    return total >= DRIVE_BY_TIME_SHARE * this.messageCount();
  }

  /**
   * For a query with a users, packages or agents filter, without a cursor: a time bound that the first `wanted`
   * matches in the query's order cannot cross, so the page reads a few rows instead of every match. The side
   * table holds each message at most once per value, in time order: its `wanted × values`-th entry (among those
   * whose message passes the query's other filters, checked on the row) leaves at least `wanted` distinct matches
   * on the near side (rows not yet in the table only add matches).
   */
  sideTableBound(query: MessageQuery, window: Window, descending: boolean, wanted: number, context: SqlitePlanContext): number | undefined {
    // `contains` counts and pages from one pass over its candidates: a bound would cut the count short.
    const side = valuesOf(query, 'contains') === undefined ? sideTableDriver(query) : undefined;
    if (side === undefined) return undefined;
    const { index, values, rest } = side;
    const direction = descending ? 'DESC' : 'ASC';
    const inValues = `s.${index.column} IN (${placeholders(values.length)}) AND s.time >= ? AND s.time < ?`;
    const params = [...values, window.start ?? Number.MIN_SAFE_INTEGER, window.end ?? Number.MAX_SAFE_INTEGER];
    const others = selectsEverything(rest) ? undefined : buildSqliteWhere(rest, {}, { ...context, rowByRow: true });
    const sql =
      others === undefined
        ? `SELECT s.time FROM ${index.table} s WHERE ${inValues} ORDER BY s.time ${direction} LIMIT 1 OFFSET ?`
        : `SELECT s.time FROM ${index.table} s JOIN messages m ON m.n = s.n WHERE ${inValues} AND ${others.sql} ORDER BY s.time ${direction} LIMIT 1 OFFSET ?`;
    return this.statements
      .get(sql)
      .pluck()
      .get(...params, ...(others?.params ?? []), wanted * values.length - 1) as number | undefined;
  }

  /** The exact number of matches of `whereSql` (built for this query and window), read the cheapest way. */
  exactCount(query: MessageQuery, window: Window, whereSql: string, params: readonly Param[], context: SqlitePlanContext): number {
    if (selectsEverything(query)) return this.messageCount();
    const side = sideTableFilter(query);
    if (side !== undefined) {
      // The table has a row per (value, message) for indexed messages: count its distinct messages, then the rest.
      const { index, values } = side;
      const start = window.start ?? Number.MIN_SAFE_INTEGER;
      const end = window.end ?? Number.MAX_SAFE_INTEGER;
      const indexed = this.statements
        .get(`SELECT count(DISTINCT n) FROM ${index.table} WHERE ${index.column} IN (${placeholders(values.length)}) AND time >= ? AND time < ?`)
        .pluck()
        .get(...values, start, end) as number;
      const tail = this.statements
        // `+t.time`: the rows past the counter are a rowid range; the time index would read the whole window.
        .get(`SELECT count(*) FROM messages t WHERE t.n > ? AND +t.time >= ? AND +t.time < ? AND ${index.tailCheck(values.length)}`)
        .pluck()
        .get(context.sideIndexedUpTo, start, end, ...values) as number;
      return indexed + tail;
    }
    if (summaryCountable(query, window)) {
      return this.statements.get(`SELECT coalesce(sum(m.count), 0) FROM topic_summary m WHERE ${whereSql}`).pluck().get(...params) as number;
    }
    return this.statements.get(`SELECT count(*) FROM messages m WHERE ${whereSql}`).pluck().get(...params) as number;
  }
}

/**
 * Topic and category filters alone, over all time, are counted from the topic summary (O(topics)) with
 * the same WHERE clause: `topic_summary` has the `topic` and `category` columns it reads.
 */
function summaryCountable(query: MessageQuery, window: Window): boolean {
  if (window.start !== undefined || window.end !== undefined) return false;
  return (['users', 'packages', 'agents', 'contains'] as const).every(
    (filter) => valuesOf(query, filter) === undefined && valuesOf(query, negated(filter)) === undefined,
  );
}

/**
 * The side table that can drive a page: the query's first users, packages or agents filter (not negated), its
 * values, and the query without it (with its time bounds), whose filters are checked on each row the table leads to.
 */
function sideTableDriver(query: MessageQuery): { index: SqliteSideIndex; values: readonly string[]; rest: MessageQuery } | undefined {
  for (const index of SQLITE_SIDE_INDEXES) {
    const values = valuesOf(query, index.filter);
    if (values === undefined) continue;
    const rest: MessageQuery = { ...query, [index.filter]: undefined, start: undefined, end: undefined, delta: undefined };
    return { index, values, rest };
  }
  return undefined;
}

/** The query's only list filter when a side table serves it (users, packages or agents, not negated). */
export function sideTableFilter(query: MessageQuery): { index: SqliteSideIndex; values: readonly string[] } | undefined {
  const present = LIST_FILTERS.flatMap((filter) => [filter, negated(filter)] as const).filter((key) => valuesOf(query, key) !== undefined);
  if (present.length !== 1) return undefined;
  for (const index of SQLITE_SIDE_INDEXES) {
    const values = valuesOf(query, index.filter);
    if (values !== undefined) return { index, values };
  }
  return undefined;
}
