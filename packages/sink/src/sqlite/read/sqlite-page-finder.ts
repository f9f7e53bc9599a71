import type Database from 'better-sqlite3';
import { DEFAULT_ROWS_PER_PAGE, queryWindow, type CountResult, type MessagePage, type MessageQuery } from '@statbus/core';
import { checkQuery } from '../../query/check-query.js';
import { encodeCursor } from '../../query/keyset-cursor.js';
import { negated, selectsEverything, valuesOf } from '../../query/query-filters.js';
import type { SqliteQueryPlanner } from '../plan/sqlite-query-planner.js';
import { rowToMessage, type MessageRow } from '../schema/sqlite-rows.js';
import type { RowKey, SqlitePageAnchors } from '../cache/sqlite-page-anchors.js';
import { SQLITE_SIDE_INDEXES } from '../schema/sqlite-side-indexes.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { MAX_TOTAL_CATCH_UP_ROWS, totalKey, type SqliteTotalCache } from '../cache/sqlite-total-cache.js';
import { buildSqliteWhere, type SqlitePlanContext } from '../plan/sqlite-where.js';
import { placeholders, type SqlFragment } from '../schema/sql-fragment.js';
import { readHead } from '../schema/sqlite-store-counter.js';

type Param = string | number;
type Window = { start?: number; end?: number };

/** What {@link SqlitePageFinder.anchoredRows} needs to know of the page asked for. */
interface Paging {
  /** The filter set, window and order: whose anchors to use. */
  readonly key: string;
  readonly head: number;
  readonly skip: number;
  readonly rowsPerPage: number;
  readonly descending: boolean;
}

/**
 * With its total known, a page is found by walking the time index and checking each row on its own columns
 * when that reads at most this many rows (the rows of the window per match, times the rows wanted).
 */
const MAX_WALKED_ROWS = 4000;

/** `find` and `count` over `messages`: the query checked, planned, counted exactly and paged, in one read transaction. */
export class SqlitePageFinder {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatementCache,
    private readonly planner: SqliteQueryPlanner,
    private readonly totals: SqliteTotalCache,
    private readonly anchors: SqlitePageAnchors,
  ) {}

  /** Count and page are read in one transaction: the same snapshot, even with another process writing. */
  find(query: MessageQuery): MessagePage {
    const { query: valid, position } = checkQuery(query);
    const rowsPerPage = valid.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
    const window = position?.window ?? queryWindow(valid);
    const page = position?.page ?? valid.page ?? 1;
    const skip = position === undefined ? (page - 1) * rowsPerPage : 0;
    const descending = (valid.order ?? 'desc') === 'desc';
    return this.db.transaction(() => {
      const context = this.planner.planContext(window);
      const bound = position === undefined ? this.planner.sideTableBound(valid, window, descending, page * rowsPerPage + 1, context) : undefined;
      const head = this.head();
      const key = totalKey(valid, window);
      const known = this.knownTotal(valid, window, context, key, head);
      const paging: Paging = { key: `${key}${descending ? '<' : '>'}`, head, skip, rowsPerPage, descending };
      if (known !== undefined && bound === undefined && this.walkIsCheap(valid, window, context, head, known, skip + rowsPerPage + 1)) {
        // Few rows of the window per match: walk them newest (or oldest) first, each checked on its own columns.
        const where = buildSqliteWhere(valid, window, { ...context, rowByRow: true });
        const rows = this.anchoredRows(valid, window, context, paging, position, (after, offset, take) => this.pageRows(where, 'INDEXED BY messages_time', descending, after, offset, take));
        return toPage(valid, window, page, rowsPerPage, known, rows);
      }
      const where = buildSqliteWhere(valid, window, bound === undefined ? context : { ...context, sideTableTime: { descending, bound } });
      if (valuesOf(valid, 'contains') !== undefined) {
        // Counting and paging would each check every candidate's body: do it once, keep the keys, sort them here.
        const { total, rows } = this.pageOfMatches(where.sql, where.params, descending, position, skip, rowsPerPage + 1);
        this.totals.record(key, head, total);
        return toPage(valid, window, page, rowsPerPage, total, rows);
      }
      const total = known ?? this.countAll(valid, window, context, key, head);
      // With a side-table bound, the few rows it leaves are looked up by row key: no other index of `messages` should lead.
      const index = bound !== undefined ? 'NOT INDEXED' : this.planner.driveByTime(valid, window, total) ? 'INDEXED BY messages_time' : '';
      const rows = total === 0 ? [] : this.anchoredRows(valid, window, context, paging, position, (after, offset, take) => this.pageRows(where, index, descending, after, offset, take));
      return toPage(valid, window, page, rowsPerPage, total, rows);
    }).deferred();
  }

  /**
   * The rows of a page (`rowsPerPage` + 1, to tell whether there is another), read by `read` after a row and an
   * offset. Without a cursor, `skip` rows are passed from the nearest known row before them (an anchor a page
   * read earlier left) rather than from the first; each page read leaves anchors at its start and its end.
   */
  private anchoredRows(
    query: MessageQuery,
    window: Window,
    context: SqlitePlanContext,
    paging: Paging,
    position: RowKey | undefined,
    read: (after: RowKey | undefined, offset: number, take: number) => MessageRow[],
  ): MessageRow[] {
    const { key, head, skip, rowsPerPage, descending } = paging;
    if (position !== undefined) return read(position, 0, rowsPerPage + 1);
    const anchor = skip === 0 ? undefined : this.anchors.nearest(key, skip, head, (known) => this.newMatches(query, window, context, known.head, head, { before: known.row, descending }));
    const start = anchor?.offset ?? 0;
    // One row more in front of the page, when there is a row to pass: it anchors this page's own start.
    const extra = skip > start ? 1 : 0;
    const fetched = read(anchor?.row, skip - start - extra, rowsPerPage + 1 + extra);
    const before = extra === 1 ? fetched[0] : undefined;
    if (before !== undefined) this.anchors.record(key, { row: before, offset: skip, head });
    const rows = extra === 1 ? fetched.slice(1) : fetched;
    const last = rows[rowsPerPage - 1];
    if (last !== undefined) this.anchors.record(key, { row: last, offset: skip + rowsPerPage, head });
    return rows;
  }

  /** Exact always: with `estimate` and no filter it reads the maintained counter instead of counting rows. */
  count(query: MessageQuery, options?: { estimate?: boolean }): CountResult {
    const { query: valid } = checkQuery(query);
    if (options?.estimate === true && selectsEverything(valid)) return { count: this.planner.messageCount(), exact: true };
    const window = queryWindow(valid);
    return this.db.transaction(() => {
      const context = this.planner.planContext(window);
      const head = this.head();
      const key = totalKey(valid, window);
      return { count: this.knownTotal(valid, window, context, key, head) ?? this.countAll(valid, window, context, key, head), exact: true };
    }).deferred();
  }

  /** The newest row key of the snapshot (0 when empty). */
  private head(): number {
    return readHead(this.statements);
  }

  /** The total kept for this filter set, brought up to date with the rows archived since; undefined when none is kept. */
  private knownTotal(query: MessageQuery, window: Window, context: SqlitePlanContext, key: string, head: number): number | undefined {
    if (selectsEverything(query)) return this.planner.messageCount();
    return this.totals.upToDate(key, head, (after) => this.newMatches(query, window, context, after, head));
  }

  /**
   * The matches among the rows archived after row key `after` up to `head`; with `sorting`, only those that sort
   * before its row in its order. Undefined when more than {@link MAX_TOTAL_CATCH_UP_ROWS} rows were archived since.
   */
  private newMatches(query: MessageQuery, window: Window, context: SqlitePlanContext, after: number, head: number, sorting?: { before: RowKey; descending: boolean }): number | undefined {
    if (head - after > MAX_TOTAL_CATCH_UP_ROWS) return undefined;
    const where = buildSqliteWhere(query, window, { ...context, rowByRow: true });
    const order = sorting === undefined ? '' : ` AND (m.time, m.id) ${sorting.descending ? '>' : '<'} (?, ?)`;
    const params = sorting === undefined ? where.params : [sorting.before.time, sorting.before.id, ...where.params];
    // NOT INDEXED: the rows archived since are a range of the row key, whatever indexes the filters could use.
    return this.statements.get(`SELECT count(*) FROM messages m NOT INDEXED WHERE m.n > ? AND m.n <= ?${order} AND ${where.sql}`).pluck().get(after, head, ...params) as number;
  }

  /** Counts every match from the indexes and keeps the total. */
  private countAll(query: MessageQuery, window: Window, context: SqlitePlanContext, key: string, head: number): number {
    const where = buildSqliteWhere(query, window, context);
    const total = this.planner.exactCount(query, window, where.sql, where.params, context);
    this.totals.record(key, head, total);
    return total;
  }

  /**
   * True when a page walked in time order reads few rows: for `contains` and for filters whose indexes cannot
   * give the page in time order (a user or package with another filter), the window's rows per match times
   * the rows wanted stays within {@link MAX_WALKED_ROWS} (the window's rows counted up to what it affords, or kept).
   */
  private walkIsCheap(query: MessageQuery, window: Window, context: SqlitePlanContext, head: number, total: number, wanted: number): boolean {
    if (total === 0) return false;
    const walked = valuesOf(query, 'contains') !== undefined || valuesOf(query, 'notContains') !== undefined || hasSideTableFilter(query);
    if (!walked) return false;
    // The walk reads the window's rows in time order: it is cheap when they are few per match.
    const affordable = Math.floor((MAX_WALKED_ROWS * total) / wanted);
    if (window.start === undefined && window.end === undefined) return this.planner.messageCount() <= affordable;
    // The window's own total is kept like any other (the same key as a query of that window alone).
    const key = totalKey({}, window);
    const kept = this.totals.upToDate(key, head, (after) => this.newMatches({}, window, context, after, head));
    if (kept !== undefined) return kept <= affordable;
    const inWindow = this.statements
      .get('SELECT count(*) FROM (SELECT 1 FROM messages INDEXED BY messages_time WHERE time >= ? AND time < ? LIMIT ?)')
      .pluck()
      .get(window.start ?? Number.MIN_SAFE_INTEGER, window.end ?? Number.MAX_SAFE_INTEGER, affordable + 1) as number;
    if (inWindow <= affordable) this.totals.record(key, head, inWindow);
    return inWindow <= affordable;
  }

  /** The page's rows in `(time, id)` order, after the cursor's position or past `skip` rows. */
  private pageRows(where: SqlFragment, index: string, descending: boolean, position: RowKey | undefined, skip: number, take: number): MessageRow[] {
    const direction = descending ? 'DESC' : 'ASC';
    const sql = [`SELECT m.* FROM messages m ${index} WHERE ${where.sql}`];
    const params: Param[] = [...where.params];
    if (position !== undefined) {
      sql.push(`AND (m.time, m.id) ${descending ? '<' : '>'} (?, ?)`);
      params.push(position.time, position.id);
    }
    sql.push(`ORDER BY m.time ${direction}, m.id ${direction} LIMIT ?`);
    params.push(take);
    if (skip > 0) {
      sql.push('OFFSET ?');
      params.push(skip);
    }
    return this.statements.get(sql.join(' ')).all(...params) as MessageRow[];
  }

  /**
   * The matches' keys, checked once and kept in a temporary table, give both the exact total and the keys of one
   * page (sorted by SQLite, `(time, id)` as everywhere else); then the page's rows are read.
   */
  private pageOfMatches(
    whereSql: string,
    params: readonly Param[],
    descending: boolean,
    position: { time: number; id: string } | undefined,
    skip: number,
    take: number,
  ): { total: number; rows: MessageRow[] } {
    const direction = descending ? 'DESC' : 'ASC';
    const after = position === undefined ? '' : `WHERE (time, id) ${descending ? '<' : '>'} (?, ?)`;
    // First row: the total (null key); then the page's keys, with their rank to keep their order.
    const result = this.statements
      .get(`WITH c AS MATERIALIZED (SELECT m.n, m.time, m.id FROM messages m WHERE ${whereSql})
        SELECT count(*), NULL FROM c
        UNION ALL SELECT NULL, n FROM (SELECT n FROM c ${after} ORDER BY time ${direction}, id ${direction} LIMIT ? OFFSET ?)`)
      .raw()
      .all(...params, ...(position === undefined ? [] : [position.time, position.id]), take, skip) as [number | null, number | null][];
    const total = result[0]?.[0] ?? 0;
    const wanted = result.slice(1).map((row) => row[1]).filter((n): n is number => n !== null);
    if (wanted.length === 0) return { total, rows: [] };
    const found = this.statements.get(`SELECT * FROM messages WHERE n IN (${placeholders(wanted.length)})`).all(...wanted) as MessageRow[];
    const byN = new Map(found.map((row) => [row.n, row]));
    const sign = descending ? -1 : 1;
    // Compound SELECTs keep no promised order: the few rows of the page are put back in (time, id) order here,
    // ids compared as SQLite does (UTF-8 bytes).
    return {
      total,
      rows: wanted
        .map((n) => byN.get(n))
        .filter((row): row is MessageRow => row !== undefined)
        .sort((a, b) => sign * (a.time - b.time || (a.id === b.id ? 0 : Buffer.compare(Buffer.from(a.id), Buffer.from(b.id))))),
    };
  }
}

function toPage(query: MessageQuery, window: Window, page: number, rowsPerPage: number, total: number, rows: readonly MessageRow[]): MessagePage {
  const more = rows.length > rowsPerPage;
  const shown = more ? rows.slice(0, rowsPerPage) : rows;
  const last = shown[shown.length - 1];
  return {
    messages: shown.map(rowToMessage),
    total,
    page,
    pages: Math.ceil(total / rowsPerPage),
    rowsPerPage,
    ...(more && last !== undefined ? { nextCursor: encodeCursor(query, { time: last.time, id: last.id, page: page + 1, window }) } : {}),
  };
}

/** True when the query filters by users, packages or agents (or their `not` forms): what the side tables serve. */
function hasSideTableFilter(query: MessageQuery): boolean {
  return SQLITE_SIDE_INDEXES.some(({ filter }) => valuesOf(query, filter) !== undefined || valuesOf(query, negated(filter)) !== undefined);
}
