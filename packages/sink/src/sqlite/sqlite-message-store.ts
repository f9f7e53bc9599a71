import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  DEFAULT_ROWS_PER_PAGE,
  QueryError,
  StoreError,
  compilePattern,
  queryWindow,
  type ArchivedMessage,
  type ChangeBatch,
  type CountResult,
  type InsertResult,
  type MessagePage,
  type MessageQuery,
  type MessageStore,
  type StoreStats,
  type TopicCatalogueQuery,
  type TopicMatcher,
  type TopicSummary,
} from '@statbus/core';
import { checkQuery } from '../query/check-query.js';
import { encodeCursor } from '../query/keyset-cursor.js';
import { LIST_FILTERS, negated, selectsEverything, valuesOf } from '../query/query-filters.js';
import { validateCatalogueQuery } from '../query/validate-catalogue-query.js';
import { runSqliteMigrations } from './sqlite-migrations.js';
import { checkChangesLimit, parseSequencePosition } from './sequence-position.js';
import { toStoreError } from './sqlite-errors.js';
import { prepareMessage, rowToMessage, type MessageRow, type PreparedMessage } from './sqlite-rows.js';
import { BODY_CONTAINS_FUNCTION, TOPIC_MATCH_FUNCTION, buildSqliteWhere, type SqlitePlanContext } from './sqlite-where.js';

/**
 * How SQLite syncs commits in WAL mode. `FULL` (the default): each commit is on disk when `insertMany`
 * resolves, so an acked message survives a power cut. `NORMAL` survives a crash of the process but may lose
 * the last commits on power loss; faster, for bulk loads only.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

/** Options of {@link SqliteMessageStore}. */
export interface SqliteStoreOptions {
  /** Default `FULL`; see {@link SqliteSynchronous}. */
  readonly synchronous?: SqliteSynchronous;
  /** How long (ms) to wait for another writer's lock before failing with a retryable error. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** SQLite page cache (MB). Default {@link DEFAULT_CACHE_MB}. */
  readonly cacheMb?: number;
  /**
   * Fill the `contains` text index in the background (small chunks while the event loop is idle) after each
   * `insertMany`. Default true. When false, call {@link SqliteMessageStore.indexText}. Either way `contains`
   * is exact: rows not yet indexed are checked directly.
   */
  readonly indexTextInBackground?: boolean;
}

/** Default {@link SqliteStoreOptions.cacheMb}. */
export const DEFAULT_CACHE_MB = 256;

interface SummaryRow {
  topic: string;
  category: string;
  count: number;
  first_seen: number;
  last_seen: number;
}

const MATCHER_CACHE_SIZE = 256;
const STATEMENT_CACHE_SIZE = 256;
/** WAL pages between automatic checkpoints (4 KiB each: a WAL of up to ~80 MB). */
const WAL_AUTOCHECKPOINT_PAGES = 20_000;
/** Rows the background indexer adds to the text index per turn of the event loop (a few ms of work each). */
const TEXT_INDEX_CHUNK = 500;
/** A pattern matching more stored topics than this is matched row by row instead of as a list of topics. */
const MAX_EXPANDED_TOPICS = 500;
/** Below this share of all messages, a topic/category filter reads its own index; above, the time index. */
const DRIVE_BY_TIME_SHARE = 0.02;

type Param = string | number;

/**
 * The embedded archive (the default `store = "sqlite:./statbus.db"`): one SQLite file in WAL mode,
 * migrated by {@link SqliteMessageStore.init}. better-sqlite3 is synchronous, so each method does its work
 * on the calling thread and returns a settled promise; queries are short thanks to the indexes.
 */
export class SqliteMessageStore implements MessageStore {
  readonly path: string;
  private readonly options: SqliteStoreOptions;
  private database: Database.Database | undefined;
  private closed = false;
  private readonly matchers = new Map<string, TopicMatcher>();
  private readonly listeners = new Set<() => void>();
  private readonly statements = new Map<string, Database.Statement>();
  private inserts: ReturnType<typeof prepareInsertStatements> | undefined;
  private indexTimer: NodeJS.Timeout | undefined;

  /** @param path a file path, or `:memory:` for a throw-away store. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.options = options;
  }

  /** Opens the file (creating its directory), sets WAL and the sync mode, runs pending migrations. */
  init(): Promise<void> {
    return this.run('init', () => {
      if (this.closed) throw new StoreError('SQLite store: closed', { retryable: false });
      if (this.database !== undefined) return;
      if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
      const db = new Database(this.path);
      try {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${this.options.synchronous ?? 'FULL'}`);
        db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
        // Random ids and many indexes: a page cache far above the 2 MB default keeps inserts off the disk.
        db.pragma(`cache_size = -${(this.options.cacheMb ?? DEFAULT_CACHE_MB) * 1024}`);
        db.pragma('temp_store = MEMORY');
        // Each batch dirties pages all over the id, agent, user and package indexes; checkpointing every
        // WAL_AUTOCHECKPOINT_PAGES instead of SQLite's 1,000 copies each page back once, not after every commit.
        db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
        db.function(TOPIC_MATCH_FUNCTION, { deterministic: true }, (pattern: unknown, topic: unknown) =>
          typeof pattern === 'string' && typeof topic === 'string' && this.matcher(pattern).test(topic) ? 1 : 0,
        );
        // The stored body is JSON.stringify(body); lower-cased, it is exactly the text `contains` searches.
        db.function(BODY_CONTAINS_FUNCTION, { deterministic: true }, (body: unknown, needle: unknown) =>
          typeof body === 'string' && typeof needle === 'string' && body.toLowerCase().includes(needle) ? 1 : 0,
        );
        runSqliteMigrations(db);
      } catch (error) {
        db.close();
        throw error;
      }
      this.database = db;
      this.scheduleTextIndexing();
    });
  }

  /** The schema versions applied to this file. */
  schemaVersions(): number[] {
    return this.db().prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  }

  /** One transaction per call; resolves after the commit (durable with `synchronous = FULL`). */
  insertMany(messages: readonly ArchivedMessage[]): Promise<InsertResult> {
    return this.run('insertMany', () => {
      const prepared = messages.map(prepareMessage);
      const db = this.db();
      this.inserts ??= prepareInsertStatements(db);
      const statements = this.inserts;
      return db.transaction((batch: readonly PreparedMessage[]) => {
        const inserted: string[] = [];
        const duplicates: string[] = [];
        const topics = new Map<string, SummaryRow>();
        for (const message of batch) {
          const { row } = message;
          // Positional binding: a third cheaper than binding the row object by name.
          const result = statements.message.run(row.id, row.time, row.topic, row.category, row.agent, row.producer_name,
            row.producer_host, row.producer_pid, row.producer_instance, row.seq, row.headers, row.body, row.signature, row.users, row.packages);
          if (result.changes === 0) {
            duplicates.push(message.row.id);
            continue;
          }
          const n = Number(result.lastInsertRowid);
          inserted.push(message.row.id);
          for (const user of message.users) statements.user.run(user, message.row.time, n);
          for (const name of message.packages) statements.package.run(name, message.row.time, n);
          const { topic, category, time } = message.row;
          const summary = topics.get(topic);
          if (summary === undefined) topics.set(topic, { topic, category, count: 1, first_seen: time, last_seen: time });
          else {
            summary.count += 1;
            summary.first_seen = Math.min(summary.first_seen, time);
            summary.last_seen = Math.max(summary.last_seen, time);
          }
        }
        for (const summary of topics.values()) statements.summary.run(summary);
        if (inserted.length > 0) statements.counter.run(inserted.length);
        return { inserted, duplicates };
      }).immediate(prepared);
    }).then((result) => {
      if (result.inserted.length > 0) {
        this.scheduleTextIndexing();
        this.notifyInserted();
      }
      return result;
    });
  }

  /**
   * Positions are the row key `n`: with SQLite's single writer, `n` grows in commit order, so a reader
   * passing back the last position misses nothing and sees nothing twice.
   */
  changes(after: string | undefined, limit: number): Promise<ChangeBatch> {
    return this.run('changes', () => {
      const from = parseSequencePosition(after);
      checkChangesLimit(limit);
      const rows = this.db().prepare('SELECT * FROM messages WHERE n > ? ORDER BY n LIMIT ?').all(from, limit) as MessageRow[];
      const last = rows[rows.length - 1];
      return {
        changes: rows.map((row) => ({ position: String(row.n), message: rowToMessage(row) })),
        position: String(last?.n ?? from),
      };
    });
  }

  changesHead(): Promise<string> {
    return this.run('changesHead', () => String((this.db().prepare('SELECT max(n) FROM messages').pluck().get() as number | null) ?? 0));
  }

  /** Listeners run after each `insertMany` of this instance that stored something. */
  onInserted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Count and page are read in one transaction: the same snapshot, even with another process writing. */
  find(query: MessageQuery): Promise<MessagePage> {
    return this.run('find', () => {
      const { query: valid, position } = checkQuery(query);
      const rowsPerPage = valid.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
      const window = position?.window ?? queryWindow(valid);
      const page = position?.page ?? valid.page ?? 1;
      const descending = (valid.order ?? 'desc') === 'desc';
      const direction = descending ? 'DESC' : 'ASC';
      return this.db().transaction(() => {
        const bound = position === undefined ? this.sideTableBound(valid, window, descending, page * rowsPerPage + 1) : undefined;
        const context = this.planContext(window);
        const where = buildSqliteWhere(valid, window, bound === undefined ? context : { ...context, sideTableTime: { descending, bound } });
        if (valuesOf(valid, 'contains') !== undefined) {
          // Counting and paging would each check every candidate's body: do it once, keep the keys, sort them here.
          const skip = position === undefined ? (page - 1) * rowsPerPage : 0;
          const { total, rows } = this.pageOfMatches(where.sql, where.params, descending, position, skip, rowsPerPage + 1);
          return this.toPage(valid, window, page, rowsPerPage, total, rows);
        }
        const total = this.exactCount(valid, window, where.sql, where.params);
        const sql = [`SELECT m.* FROM messages m ${this.driveByTime(valid, window, total) ? 'INDEXED BY messages_time ' : ''}WHERE ${where.sql}`];
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
        const rows = (total === 0 ? [] : this.statement(sql.join(' ')).all(...params)) as MessageRow[];
        return this.toPage(valid, window, page, rowsPerPage, total, rows);
      }).deferred();
    });
  }

  /** All matches' keys in one pass, ordered by `(time, id)` as SQLite orders them, then the rows of one page. */
  private pageOfMatches(
    whereSql: string,
    params: readonly Param[],
    descending: boolean,
    position: { time: number; id: string } | undefined,
    skip: number,
    take: number,
  ): { total: number; rows: MessageRow[] } {
    const keys = this.statement(`SELECT m.n, m.time, m.id FROM messages m WHERE ${whereSql}`).raw().all(...params) as [number, number, string][];
    const sign = descending ? -1 : 1;
    // SQLite compares text as UTF-8 bytes; only ids tied on the millisecond need that comparison.
    const compare = (a: readonly [number, string], b: readonly [number, string]): number =>
      sign * (a[0] - b[0] || (a[1] === b[1] ? 0 : Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1]))));
    keys.sort((a, b) => compare([a[1], a[2]], [b[1], b[2]]));
    const after = position === undefined ? keys : keys.filter((key) => compare([key[1], key[2]], [position.time, position.id]) > 0);
    const wanted = after.slice(skip, skip + take).map((key) => key[0]);
    if (wanted.length === 0) return { total: keys.length, rows: [] };
    const found = this.statement(`SELECT * FROM messages WHERE n IN (${wanted.map(() => '?').join(', ')})`).all(...wanted) as MessageRow[];
    const byN = new Map(found.map((row) => [row.n, row]));
    return { total: keys.length, rows: wanted.map((n) => byN.get(n)).filter((row): row is MessageRow => row !== undefined) };
  }

  private toPage(
    query: MessageQuery,
    window: { start?: number; end?: number },
    page: number,
    rowsPerPage: number,
    total: number,
    rows: readonly MessageRow[],
  ): MessagePage {
    const more = rows.length > rowsPerPage;
    const shown = more ? rows.slice(0, rowsPerPage) : rows;
    const last = shown[shown.length - 1];
    return {
      messages: shown.map(rowToMessage),
      total,
      page,
      pages: Math.ceil(total / rowsPerPage),
      rowsPerPage,
      ...(more && last !== undefined
        ? { nextCursor: encodeCursor(query, { time: last.time, id: last.id, page: page + 1, window }) }
        : {}),
    };
  }

  get(id: string): Promise<ArchivedMessage | undefined> {
    return this.run('get', () => {
      const row = this.db().prepare('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
      return row === undefined ? undefined : rowToMessage(row);
    });
  }

  /** Exact always: with `estimate` and no filter it reads the maintained counter instead of counting rows. */
  count(query: MessageQuery, options?: { estimate?: boolean }): Promise<CountResult> {
    return this.run('count', () => {
      const { query: valid } = checkQuery(query);
      if (options?.estimate === true && selectsEverything(valid)) return { count: this.counter(), exact: true };
      const window = queryWindow(valid);
      return this.db().transaction(() => {
        const where = buildSqliteWhere(valid, window, this.planContext(window));
        return { count: this.exactCount(valid, window, where.sql, where.params), exact: true };
      }).deferred();
    });
  }

  /** From the topic summary table, sorted by topic; counts are all-time totals of the topics listed. */
  topics(query: TopicCatalogueQuery = {}): Promise<readonly TopicSummary[]> {
    return this.run('topics', () => {
      const valid = validateCatalogueQuery(query);
      const parts: string[] = [];
      const params: (string | number)[] = [];
      if (valid.categories !== undefined && valid.categories.length > 0) {
        parts.push(`category IN (${valid.categories.map(() => '?').join(', ')})`);
        params.push(...valid.categories);
      }
      if (valid.start !== undefined) {
        parts.push('last_seen >= ?');
        params.push(valid.start);
      }
      if (valid.end !== undefined) {
        parts.push('first_seen < ?');
        params.push(valid.end);
      }
      const where = parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
      const rows = this.db().prepare(`SELECT * FROM topic_summary ${where} ORDER BY topic`).all(...params) as SummaryRow[];
      return rows.map((row) => ({
        topic: row.topic,
        category: row.category,
        count: row.count,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
      }));
    });
  }

  stats(): Promise<StoreStats> {
    return this.run('stats', () => {
      const rows = this.db().prepare('SELECT * FROM topic_summary ORDER BY topic').all() as SummaryRow[];
      const byCategory: Record<string, number> = {};
      const byTopic: Record<string, number> = {};
      let first: number | undefined;
      let last: number | undefined;
      for (const row of rows) {
        byTopic[row.topic] = row.count;
        byCategory[row.category] = (byCategory[row.category] ?? 0) + row.count;
        first = first === undefined ? row.first_seen : Math.min(first, row.first_seen);
        last = last === undefined ? row.last_seen : Math.max(last, row.last_seen);
      }
      return {
        total: this.counter(),
        byCategory,
        byTopic,
        ...(first === undefined ? {} : { first }),
        ...(last === undefined ? {} : { last }),
      };
    });
  }

  close(): Promise<void> {
    this.closed = true;
    const db = this.database;
    this.database = undefined;
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    this.statements.clear();
    this.inserts = undefined;
    return this.run('close', () => {
      if (db?.open === true) db.close();
    });
  }

  private notifyInserted(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the write succeeded.
      }
    }
  }

  /**
   * Adds up to `maxRows` not-yet-indexed messages to the `contains` text index, oldest first, in transactions
   * of {@link TEXT_INDEX_CHUNK} rows. Returns how many it indexed. Safe with several processes on one file.
   */
  indexText(maxRows = Number.POSITIVE_INFINITY): Promise<number> {
    return this.run('indexText', () => {
      let done = 0;
      while (done < maxRows) {
        const added = this.indexTextChunk(Math.min(TEXT_INDEX_CHUNK * 10, maxRows - done));
        if (added === 0) break;
        done += added;
      }
      return done;
    });
  }

  private indexTextChunk(limit: number): number {
    const db = this.db();
    return db.transaction(() => {
      const from = this.counterValue('text_indexed');
      const rows = this.statement('SELECT n, body FROM messages WHERE n > ? ORDER BY n LIMIT ?').raw().all(from, limit) as [number, string][];
      const insert = this.statement('INSERT INTO message_text (rowid, text) VALUES (?, ?)');
      for (const [n, body] of rows) insert.run(n, body.toLowerCase());
      const last = rows[rows.length - 1];
      if (last !== undefined) this.statement("UPDATE store_counter SET value = ? WHERE name = 'text_indexed'").run(last[0]);
      return rows.length;
    }).immediate();
  }

  private scheduleTextIndexing(): void {
    if (this.indexTimer !== undefined || this.options.indexTextInBackground === false) return;
    const step = (): void => {
      this.indexTimer = undefined;
      if (this.database === undefined) return;
      let added = 0;
      try {
        added = this.indexTextChunk(TEXT_INDEX_CHUNK);
      } catch {
        // Busy or failing: the rows stay searchable (checked directly); the next insert schedules another try.
        return;
      }
      if (added === TEXT_INDEX_CHUNK) this.scheduleTextIndexing();
    };
    this.indexTimer = setTimeout(step, 0);
    this.indexTimer.unref();
  }

  private planContext(window: { start?: number; end?: number }): SqlitePlanContext {
    return {
      textIndexedUpTo: this.counterValue('text_indexed'),
      topicsMatching: (pattern) => {
        const topics = this.statement(`SELECT topic FROM topic_summary WHERE ${TOPIC_MATCH_FUNCTION}(?, topic) LIMIT ?`)
          .pluck()
          .all(pattern, MAX_EXPANDED_TOPICS + 1) as string[];
        return topics.length > MAX_EXPANDED_TOPICS ? undefined : topics;
      },
      windowRows: () => {
        if (window.start === undefined && window.end === undefined) return undefined;
        const [first, last] = this.statement('SELECT min(n), max(n) FROM messages WHERE time >= ? AND time < ?')
          .raw()
          .get(window.start ?? Number.MIN_SAFE_INTEGER, window.end ?? Number.MAX_SAFE_INTEGER) as [number | null, number | null];
        return first === null || last === null ? { first: 1, last: 0 } : { first, last };
      },
    };
  }

  /**
   * Topic and category filters alone, over all time, are counted from the topic summary (O(topics)) with
   * the same WHERE clause: `topic_summary` has the `topic` and `category` columns it reads.
   */
  private summaryCountable(query: MessageQuery, window: { start?: number; end?: number }): boolean {
    if (window.start !== undefined || window.end !== undefined) return false;
    return (['users', 'packages', 'agents', 'contains'] as const).every(
      (filter) => valuesOf(query, filter) === undefined && valuesOf(query, negated(filter)) === undefined,
    );
  }

  /**
   * SQLite reads a topic or category index and sorts when a filter on them is present; when they select a
   * large share of the messages, walking the time index in order and stopping at the page end is far cheaper.
   */
  private driveByTime(query: MessageQuery, window: { start?: number; end?: number }, total: number): boolean {
    if (!this.summaryCountable(query, window)) return false;
    if (valuesOf(query, 'topics') === undefined && valuesOf(query, 'categories') === undefined) return false;
    return total >= DRIVE_BY_TIME_SHARE * this.counter();
  }

  /** The query's only list filter when it is `users` or `packages`: read from its side table alone. */
  private sideTableFilter(query: MessageQuery): { table: string; column: string; values: readonly string[] } | undefined {
    const present = LIST_FILTERS.flatMap((filter) => [filter, negated(filter)] as const).filter((key) => valuesOf(query, key) !== undefined);
    if (present.length !== 1) return undefined;
    const users = valuesOf(query, 'users');
    if (users !== undefined) return { table: 'message_users', column: 'user', values: users };
    const packages = valuesOf(query, 'packages');
    if (packages !== undefined) return { table: 'message_packages', column: 'package', values: packages };
    return undefined;
  }

  /**
   * For a users-only or packages-only query without a cursor, a time bound that the first `wanted` messages in
   * the query's order cannot cross, so the page reads a few rows instead of every match. The side table holds
   * each message at most once per value: its `wanted × values`-th entry in time order leaves at least
   * `wanted` distinct messages on the near side.
   */
  private sideTableBound(query: MessageQuery, window: { start?: number; end?: number }, descending: boolean, wanted: number): number | undefined {
    const filter = this.sideTableFilter(query);
    if (filter === undefined) return undefined;
    const direction = descending ? 'DESC' : 'ASC';
    return this.statement(`SELECT time FROM ${filter.table} WHERE ${filter.column} IN (${filter.values.map(() => '?').join(', ')})
      AND time >= ? AND time < ? ORDER BY time ${direction} LIMIT 1 OFFSET ?`)
      .pluck()
      .get(...filter.values, window.start ?? Number.MIN_SAFE_INTEGER, window.end ?? Number.MAX_SAFE_INTEGER, wanted * filter.values.length - 1) as
      | number
      | undefined;
  }

  private exactCount(query: MessageQuery, window: { start?: number; end?: number }, whereSql: string, params: readonly Param[]): number {
    if (selectsEverything(query)) return this.counter();
    const side = this.sideTableFilter(query);
    if (side !== undefined) {
      // The side table has a row per (value, message) for stored messages only: count its distinct messages.
      return this.statement(`SELECT count(DISTINCT n) FROM ${side.table} WHERE ${side.column} IN (${side.values.map(() => '?').join(', ')})
        AND time >= ? AND time < ?`)
        .pluck()
        .get(...side.values, window.start ?? Number.MIN_SAFE_INTEGER, window.end ?? Number.MAX_SAFE_INTEGER) as number;
    }
    if (this.summaryCountable(query, window)) {
      return this.statement(`SELECT coalesce(sum(m.count), 0) FROM topic_summary m WHERE ${whereSql}`).pluck().get(...params) as number;
    }
    return this.statement(`SELECT count(*) FROM messages m WHERE ${whereSql}`).pluck().get(...params) as number;
  }

  private counter(): number {
    return this.counterValue('messages');
  }

  private counterValue(name: 'messages' | 'text_indexed'): number {
    return this.statement('SELECT value FROM store_counter WHERE name = ?').pluck().get(name) as number;
  }

  /** Prepared once per SQL text: building the statement costs more than running most indexed queries. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.db().prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private matcher(pattern: string): TopicMatcher {
    let matcher = this.matchers.get(pattern);
    if (matcher === undefined) {
      if (this.matchers.size >= MATCHER_CACHE_SIZE) this.matchers.clear();
      matcher = compilePattern(pattern);
      this.matchers.set(pattern, matcher);
    }
    return matcher;
  }

  private db(): Database.Database {
    if (this.database === undefined) {
      throw new StoreError(this.closed ? 'SQLite store: closed' : 'SQLite store: call init() first', { retryable: false });
    }
    return this.database;
  }

  private run<T>(doing: string, work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof QueryError ? error : toStoreError(error, doing));
    }
  }
}

function prepareInsertStatements(db: Database.Database) {
  return {
    message: db.prepare(`INSERT OR IGNORE INTO messages (id, time, topic, category, agent, producer_name, producer_host,
      producer_pid, producer_instance, seq, headers, body, signature, users, packages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    user: db.prepare('INSERT OR IGNORE INTO message_users (user, time, n) VALUES (?, ?, ?)'),
    package: db.prepare('INSERT OR IGNORE INTO message_packages (package, time, n) VALUES (?, ?, ?)'),
    summary: db.prepare(`INSERT INTO topic_summary (topic, category, count, first_seen, last_seen)
      VALUES (@topic, @category, @count, @first_seen, @last_seen) ON CONFLICT (topic) DO UPDATE SET
      count = count + excluded.count, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`),
    counter: db.prepare("UPDATE store_counter SET value = value + ? WHERE name = 'messages'"),
  };
}
