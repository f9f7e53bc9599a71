import type Database from 'better-sqlite3';
import { DEFAULT_ROWS_PER_PAGE, queryWindow, type CountResult, type MessagePage, type MessageQuery } from '@statbus/core';
import { checkQuery } from '../query/check-query.js';
import { encodeCursor } from '../query/keyset-cursor.js';
import { selectsEverything, valuesOf } from '../query/query-filters.js';
import type { SqliteQueryPlanner } from './sqlite-query-planner.js';
import { rowToMessage, type MessageRow } from './sqlite-rows.js';
import type { SqliteStatementCache } from './sqlite-statement-cache.js';
import { buildSqliteWhere } from './sqlite-where.js';

type Param = string | number;
type Window = { start?: number; end?: number };

/** `find` and `count` over `messages`: the query checked, planned, counted exactly and paged, in one read transaction. */
export class SqlitePageFinder {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatementCache,
    private readonly planner: SqliteQueryPlanner,
  ) {}

  /** Count and page are read in one transaction: the same snapshot, even with another process writing. */
  find(query: MessageQuery): MessagePage {
    const { query: valid, position } = checkQuery(query);
    const rowsPerPage = valid.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
    const window = position?.window ?? queryWindow(valid);
    const page = position?.page ?? valid.page ?? 1;
    const descending = (valid.order ?? 'desc') === 'desc';
    const direction = descending ? 'DESC' : 'ASC';
    return this.db.transaction(() => {
      const bound = position === undefined ? this.planner.sideTableBound(valid, window, descending, page * rowsPerPage + 1) : undefined;
      const context = this.planner.planContext(window);
      const where = buildSqliteWhere(valid, window, bound === undefined ? context : { ...context, sideTableTime: { descending, bound } });
      if (valuesOf(valid, 'contains') !== undefined) {
        // Counting and paging would each check every candidate's body: do it once, keep the keys, sort them here.
        const skip = position === undefined ? (page - 1) * rowsPerPage : 0;
        const { total, rows } = this.pageOfMatches(where.sql, where.params, descending, position, skip, rowsPerPage + 1);
        return toPage(valid, window, page, rowsPerPage, total, rows);
      }
      const total = this.planner.exactCount(valid, window, where.sql, where.params, context);
      const sql = [`SELECT m.* FROM messages m ${this.planner.driveByTime(valid, window, total) ? 'INDEXED BY messages_time ' : ''}WHERE ${where.sql}`];
      const params: Param[] = [...where.params];
      if (position !== undefined) {
        sql.push(`AND (m.time, m.id) ${descending ? '<' : '>'} (?, ?)`);
        params.push(position.time, position.id);
      }
      sql.push(`ORDER BY m.time ${direction}, m.id ${direction} LIMIT ?`);
      params.push(rowsPerPage + 1);
      if (position === undefined && page > 1) {
        sql.push('OFFSET ?');
        params.push((page - 1) * rowsPerPage);
      }
      const rows = (total === 0 ? [] : this.statements.get(sql.join(' ')).all(...params)) as MessageRow[];
      return toPage(valid, window, page, rowsPerPage, total, rows);
    }).deferred();
  }

  /** Exact always: with `estimate` and no filter it reads the maintained counter instead of counting rows. */
  count(query: MessageQuery, options?: { estimate?: boolean }): CountResult {
    const { query: valid } = checkQuery(query);
    if (options?.estimate === true && selectsEverything(valid)) return { count: this.planner.messageCount(), exact: true };
    const window = queryWindow(valid);
    return this.db.transaction(() => {
      const context = this.planner.planContext(window);
      const where = buildSqliteWhere(valid, window, context);
      return { count: this.planner.exactCount(valid, window, where.sql, where.params, context), exact: true };
    }).deferred();
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
    const found = this.statements.get(`SELECT * FROM messages WHERE n IN (${wanted.map(() => '?').join(', ')})`).all(...wanted) as MessageRow[];
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
