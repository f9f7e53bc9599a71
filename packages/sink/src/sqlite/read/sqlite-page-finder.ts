import type Database from 'better-sqlite3';
import { DEFAULT_ROWS_PER_PAGE, queryWindow, type CountResult, type MessagePage, type MessageQuery } from '@statbus/core';
import { checkQuery } from '../../query/check-query.js';
import { encodeCursor } from '../../query/keyset-cursor.js';
import { selectsEverything } from '../../query/query-filters.js';
import type { RowKey, SqlitePageAnchors } from '../cache/sqlite-page-anchors.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { totalKey, type SqliteTotalCache } from '../cache/sqlite-total-cache.js';
import { countStatements } from '../plan/count-sql.js';
import { planCount, planFind } from '../plan/plan-find.js';
import type { CountPlan, PageRequest, Window } from '../plan/query-plan.js';
import type { SqlitePlanStatistics } from '../plan/sqlite-plan-statistics.js';
import type { SqliteQueryPlanner } from '../plan/sqlite-query-planner.js';
import { buildWhere } from '../plan/sqlite-where.js';
import { placeholders, type SqlFragment } from '../schema/sql-fragment.js';
import { RAW_MESSAGE_COLUMNS, rawKey, rawMessageRowToMessage, rawN, type RawMessageRow } from './sqlite-raw-rows.js';

/** A page of `find` with its messages in the form `toMessage` makes of each row. */
export type PageOf<M> = Omit<MessagePage, 'messages'> & { readonly messages: M[] };

type Param = string | number;

/**
 * From this many rows to skip on, a page is found by the time of its first row (read on the index, see
 * `timeAtOffset`) rather than by skipping whole rows.
 */
const SKIP_BY_TIME_FROM = 1000;

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
 * `find` and `count` over `messages`, each in one read transaction: the query checked, planned (`planFind`,
 * `planCount`), then the plan carried out: counted exactly and paged. Totals counted here are kept.
 */
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
    return this.findAs(query, rawMessageRowToMessage);
  }

  /** {@link SqlitePageFinder.find} with each row made a message by `toMessage`. */
  findAs<M>(query: MessageQuery, toMessage: (row: RawMessageRow) => M): PageOf<M> {
    const { query: valid, position } = checkQuery(query);
    const rowsPerPage = valid.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
    const window = position?.window ?? queryWindow(valid);
    const page = position?.page ?? valid.page ?? 1;
    const request: PageRequest = {
      window,
      page,
      rowsPerPage,
      skip: position === undefined ? (page - 1) * rowsPerPage : 0,
      descending: (valid.order ?? 'desc') === 'desc',
      fromCursor: position !== undefined,
    };
    return this.db.transaction(() => {
      const context = this.planner.planContext(window);
      const plan = planFind(valid, request, context);
      const { statistics } = context;
      const head = statistics.head();
      const key = totalKey(valid, window);
      const paging: Paging = { key: `${key}${request.descending ? '<' : '>'}`, head, skip: request.skip, rowsPerPage, descending: request.descending };
      const where = buildWhere(plan.filters);
      const read = (index: string) => (after: RowKey | undefined, offset: number, take: number) => this.pageRows(where, index, request.descending, after, offset, take);
      switch (plan.kind) {
        case 'empty':
          return toPage(valid, window, page, rowsPerPage, 0, [], toMessage);
        case 'walk':
          return toPage(valid, window, page, rowsPerPage, plan.total, this.anchoredRows(valid, statistics, paging, position, read('INDEXED BY messages_time')), toMessage);
        case 'text': {
          // Counting and paging would each check every candidate's body: do it once, keep the keys, sort them here.
          const { total, rows } = this.pageOfMatches(where, request.descending, position, request.skip, rowsPerPage + 1);
          this.totals.record(key, head, total);
          return toPage(valid, window, page, rowsPerPage, total, rows, toMessage);
        }
        case 'side-table':
        case 'indexes': {
          const total = this.total(plan.count, key, head);
          // With a side-table bound, the few rows it leaves are looked up by row key: no other index of `messages` should lead.
          const index = plan.kind === 'side-table' ? 'NOT INDEXED' : plan.timeIndexFrom !== undefined && total >= plan.timeIndexFrom ? 'INDEXED BY messages_time' : '';
          const rows = total === 0 ? [] : this.anchoredRows(valid, statistics, paging, position, read(index));
          return toPage(valid, window, page, rowsPerPage, total, rows, toMessage);
        }
      }
    }).deferred();
  }

  /** Exact always: with `estimate` and no filter it reads the maintained counter instead of counting rows. */
  count(query: MessageQuery, options?: { estimate?: boolean }): CountResult {
    const { query: valid } = checkQuery(query);
    if (options?.estimate === true && selectsEverything(valid)) return { count: this.planner.messageCount(), exact: true };
    const window = queryWindow(valid);
    return this.db.transaction(() => {
      const context = this.planner.planContext(window);
      return { count: this.total(planCount(valid, window, context), totalKey(valid, window), context.statistics.head()), exact: true };
    }).deferred();
  }

  /** The total `plan` counts; a total counted here is kept for `key`'s filter set in the snapshot of `head`. */
  private total(plan: CountPlan, key: string, head: number): number {
    if (plan.kind === 'known') return plan.total;
    let total = 0;
    for (const { sql, params } of countStatements(plan)) total += this.statements.get(sql).pluck().get(...params) as number;
    this.totals.record(key, head, total);
    return total;
  }

  /**
   * The rows of a page (`rowsPerPage` + 1, to tell whether there is another), read by `read` after a row and an
   * offset. Without a cursor, `skip` rows are passed from the nearest known row before them (an anchor a page
   * read earlier left) rather than from the first; each page read leaves anchors at its start and its end.
   */
  private anchoredRows(
    query: MessageQuery,
    statistics: SqlitePlanStatistics,
    paging: Paging,
    position: RowKey | undefined,
    read: (after: RowKey | undefined, offset: number, take: number) => RawMessageRow[],
  ): RawMessageRow[] {
    const { key, head, skip, rowsPerPage, descending } = paging;
    if (position !== undefined) return read(position, 0, rowsPerPage + 1);
    const anchor = skip === 0 ? undefined : this.anchors.nearest(key, skip, head, (known) => statistics.matchesSince(query, known.head, head, { before: known.row, descending }));
    const start = anchor?.offset ?? 0;
    // One row more in front of the page, when there is a row to pass: it anchors this page's own start.
    const extra = skip > start ? 1 : 0;
    const fetched = read(anchor?.row, skip - start - extra, rowsPerPage + 1 + extra);
    const before = extra === 1 ? fetched[0] : undefined;
    if (before !== undefined) this.anchors.record(key, { row: rawKey(before), offset: skip, head });
    const rows = extra === 1 ? fetched.slice(1) : fetched;
    const last = rows[rowsPerPage - 1];
    if (last !== undefined) this.anchors.record(key, { row: rawKey(last), offset: skip + rowsPerPage, head });
    return rows;
  }

  /** The page's rows in `(time, id)` order, after the cursor's position or past `skip` rows. */
  private pageRows(where: SqlFragment, index: string, descending: boolean, position: RowKey | undefined, skip: number, take: number): RawMessageRow[] {
    const direction = descending ? 'DESC' : 'ASC';
    const sql = [`SELECT ${RAW_MESSAGE_COLUMNS} FROM messages m ${index} WHERE ${where.sql}`];
    const params: Param[] = [...where.params];
    if (position !== undefined) {
      sql.push(`AND (m.time, m.id) ${descending ? '<' : '>'} (?, ?)`);
      params.push(position.time, position.id);
    }
    let offset = skip;
    if (skip >= SKIP_BY_TIME_FROM) {
      const bound = this.timeAtOffset(sql.join(' '), params, descending, skip);
      if (bound === undefined) return [];
      sql.push(`AND m.time ${descending ? '<=' : '>='} ?`);
      params.push(bound.time);
      offset = bound.offset;
    }
    sql.push(`ORDER BY m.time ${direction}, m.id ${direction} LIMIT ?`);
    params.push(take);
    if (offset > 0) {
      sql.push('OFFSET ?');
      params.push(offset);
    }
    return this.statements.get(sql.join(' ')).raw().all(...params) as RawMessageRow[];
  }

  /**
   * Where the row `skip` rows into `selected` (a `SELECT … FROM messages m … WHERE …` without its order) lies: its time, and how
   * many of the rows with that time or later in the order come before it. Read on the time alone, which a time
   * index gives without visiting the rows (and without sorting them by id), where skipping the rows themselves
   * would read every one in front of the page. Undefined when there are not that many rows.
   */
  private timeAtOffset(selected: string, params: readonly Param[], descending: boolean, skip: number): { time: number; offset: number } | undefined {
    const from = selected.replace(`SELECT ${RAW_MESSAGE_COLUMNS} FROM`, 'SELECT m.time FROM');
    const time = this.statements.get(`${from} ORDER BY m.time ${descending ? 'DESC' : 'ASC'} LIMIT 1 OFFSET ?`).pluck().get(...params, skip) as number | undefined;
    if (time === undefined) return undefined;
    const before = this.statements.get(`SELECT count(*) FROM (${from} AND m.time ${descending ? '>' : '<'} ?)`).pluck().get(...params, time) as number;
    return { time, offset: skip - before };
  }

  /**
   * The matches' keys, checked once and kept in a temporary table, give both the exact total and the keys of one
   * page (sorted by SQLite, `(time, id)` as everywhere else); then the page's rows are read.
   */
  private pageOfMatches(
    where: SqlFragment,
    descending: boolean,
    position: { time: number; id: string } | undefined,
    skip: number,
    take: number,
  ): { total: number; rows: RawMessageRow[] } {
    const direction = descending ? 'DESC' : 'ASC';
    const after = position === undefined ? '' : `WHERE (time, id) ${descending ? '<' : '>'} (?, ?)`;
    // First row: the total (null key); then the page's keys, with their rank to keep their order.
    const result = this.statements
      .get(`WITH c AS MATERIALIZED (SELECT m.n, m.time, m.id FROM messages m WHERE ${where.sql})
        SELECT count(*), NULL FROM c
        UNION ALL SELECT NULL, n FROM (SELECT n FROM c ${after} ORDER BY time ${direction}, id ${direction} LIMIT ? OFFSET ?)`)
      .raw()
      .all(...where.params, ...(position === undefined ? [] : [position.time, position.id]), take, skip) as [number | null, number | null][];
    const total = result[0]?.[0] ?? 0;
    const wanted = result.slice(1).map((row) => row[1]).filter((n): n is number => n !== null);
    if (wanted.length === 0) return { total, rows: [] };
    const found = this.statements.get(`SELECT ${RAW_MESSAGE_COLUMNS} FROM messages m WHERE m.n IN (${placeholders(wanted.length)})`).raw().all(...wanted) as RawMessageRow[];
    const byN = new Map(found.map((row) => [rawN(row), row]));
    const sign = descending ? -1 : 1;
    // Compound SELECTs keep no promised order: the few rows of the page are put back in (time, id) order here,
    // ids compared as SQLite does (UTF-8 bytes).
    return {
      total,
      rows: wanted
        .map((n) => byN.get(n))
        .filter((row): row is RawMessageRow => row !== undefined)
        .sort((a, b) => sign * (a[2] - b[2] || (a[1] === b[1] ? 0 : Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1]))))),
    };
  }
}

function toPage<M>(query: MessageQuery, window: Window, page: number, rowsPerPage: number, total: number, rows: readonly RawMessageRow[], toMessage: (row: RawMessageRow) => M): PageOf<M> {
  const more = rows.length > rowsPerPage;
  const shown = more ? rows.slice(0, rowsPerPage) : rows;
  const last = shown[shown.length - 1];
  return {
    messages: shown.map((row) => toMessage(row)),
    total,
    page,
    pages: Math.ceil(total / rowsPerPage),
    rowsPerPage,
    ...(more && last !== undefined ? { nextCursor: encodeCursor(query, { ...rawKey(last), page: page + 1, window }) } : {}),
  };
}
