import type { MessageQuery } from '@statbus/core';
import { selectsEverything } from '../../query/query-filters.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { totalKey, type SqliteTotalCache } from '../cache/sqlite-total-cache.js';
import { placeholders } from '../schema/sql-fragment.js';
import { TOPIC_MATCH_FUNCTION } from '../schema/sqlite-functions.js';
import { readHead, readStoreCounter } from '../schema/sqlite-store-counter.js';
import type { SqliteTuning } from '../sqlite-tuning.js';
import type { SqliteTextCandidates } from '../text-index/sqlite-text-candidates.js';
import { planFilters } from './plan-filters.js';
import type { PlanStatistics, SideTableDriver, SqlitePlanContext, Window } from './query-plan.js';
import { buildWhere } from './sqlite-where.js';

/** What {@link SqlitePlanStatistics} reads from. */
export interface SqliteStatisticsSources {
  readonly statements: SqliteStatementCache;
  readonly totals: SqliteTotalCache;
  readonly text: SqliteTextCandidates;
  readonly tuning: SqliteTuning;
}

/** A row key in a result's `(time, id)` order. */
interface RowKey {
  readonly time: number;
  readonly id: string;
}

/**
 * {@link PlanStatistics} read from the archive for one window, in the caller's read transaction (one snapshot).
 * Totals it counts on the way (a kept total brought up to date, the window's rows) are kept in the totals cache.
 */
export class SqlitePlanStatistics implements PlanStatistics {
  readonly textIndexedUpTo: number;
  readonly sideIndexedUpTo: number;
  readonly #candidates = new Map<string, readonly number[]>();
  #head: number | undefined;

  constructor(
    private readonly sources: SqliteStatisticsSources,
    readonly window: Window,
  ) {
    this.textIndexedUpTo = readStoreCounter(sources.statements, 'text_indexed');
    this.sideIndexedUpTo = readStoreCounter(sources.statements, 'side_indexed');
  }

  /** The plan context these statistics make with the store's tuning. */
  get context(): SqlitePlanContext {
    return { statistics: this, tuning: this.sources.tuning };
  }

  messageCount(): number {
    return readStoreCounter(this.sources.statements, 'messages');
  }

  /** The newest row key of the snapshot (0 when empty). */
  head(): number {
    return (this.#head ??= readHead(this.sources.statements));
  }

  topicsMatching(pattern: string): readonly string[] | undefined {
    const most = this.sources.tuning.expandedTopicsMax;
    const topics = this.sources.statements
      .get(`SELECT topic FROM topic_summary WHERE ${TOPIC_MATCH_FUNCTION}(?, topic) LIMIT ?`)
      .pluck()
      .all(pattern, most + 1) as string[];
    return topics.length > most ? undefined : topics;
  }

  windowRows(): { first: number; last: number; count: number } | undefined {
    const { start, end } = this.window;
    if (start === undefined && end === undefined) return undefined;
    const [first, last, count] = this.sources.statements
      .get('SELECT min(n), max(n), count(*) FROM messages WHERE time >= ? AND time < ?')
      .raw()
      .get(start ?? Number.MIN_SAFE_INTEGER, end ?? Number.MAX_SAFE_INTEGER) as [number | null, number | null, number];
    return first === null || last === null ? { first: 1, last: 0, count: 0 } : { first, last, count };
  }

  /** The window's own total is kept like any other (the same key as a query of that window alone). */
  windowRowsUpTo(limit: number): number {
    const kept = this.keptTotal({});
    if (kept !== undefined) return kept;
    const inWindow = this.sources.statements
      .get('SELECT count(*) FROM (SELECT 1 FROM messages INDEXED BY messages_time WHERE time >= ? AND time < ? LIMIT ?)')
      .pluck()
      .get(this.window.start ?? Number.MIN_SAFE_INTEGER, this.window.end ?? Number.MAX_SAFE_INTEGER, limit + 1) as number;
    if (inWindow <= limit) this.sources.totals.record(totalKey({}, this.window), this.head(), inWindow);
    return inWindow;
  }

  keptTotal(query: MessageQuery): number | undefined {
    const head = this.head();
    return this.sources.totals.upToDate(totalKey(query, this.window), head, (after) => this.matchesSince(query, after, head));
  }

  sideTableBound(driver: SideTableDriver, descending: boolean, wanted: number): number | undefined {
    const { index, values, rest } = driver;
    const direction = descending ? 'DESC' : 'ASC';
    const inValues = `s.${index.column} IN (${placeholders(values.length)}) AND s.time >= ? AND s.time < ?`;
    const params = [...values, this.window.start ?? Number.MIN_SAFE_INTEGER, this.window.end ?? Number.MAX_SAFE_INTEGER];
    const others = selectsEverything(rest) ? undefined : buildWhere(planFilters(rest, {}, 'rows', this.context));
    const sql =
      others === undefined
        ? `SELECT s.time FROM ${index.table} s WHERE ${inValues} ORDER BY s.time ${direction} LIMIT 1 OFFSET ?`
        : `SELECT s.time FROM ${index.table} s JOIN messages m ON m.n = s.n WHERE ${inValues} AND ${others.sql} ORDER BY s.time ${direction} LIMIT 1 OFFSET ?`;
    return this.sources.statements
      .get(sql)
      .pluck()
      .get(...params, ...(others?.params ?? []), wanted * values.length - 1) as number | undefined;
  }

  textCandidates(needle: string, first: number, last: number): readonly number[] {
    // A page and its count plan the same condition: the index is read once per query.
    const key = `${first} ${last} ${needle}`;
    let found = this.#candidates.get(key);
    if (found === undefined) this.#candidates.set(key, (found = this.sources.text.candidates(needle, first, last)));
    return found;
  }

  /**
   * The matches of `query` among the rows archived after row key `after` up to `head`; with `sorting`, only those
   * that sort before its row in its order. Undefined when more than `totalCatchUpRows` rows were archived since.
   */
  matchesSince(query: MessageQuery, after: number, head: number, sorting?: { before: RowKey; descending: boolean }): number | undefined {
    if (head - after > this.sources.tuning.totalCatchUpRows) return undefined;
    const where = buildWhere(planFilters(query, this.window, 'rows', this.context));
    const order = sorting === undefined ? '' : ` AND (m.time, m.id) ${sorting.descending ? '>' : '<'} (?, ?)`;
    const params = sorting === undefined ? where.params : [sorting.before.time, sorting.before.id, ...where.params];
    // NOT INDEXED: the rows archived since are a range of the row key, whatever indexes the filters could use.
    return this.sources.statements.get(`SELECT count(*) FROM messages m NOT INDEXED WHERE m.n > ? AND m.n <= ?${order} AND ${where.sql}`).pluck().get(after, head, ...params) as number;
  }
}
