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
import { selectsEverything } from '../query/query-filters.js';
import { validateCatalogueQuery } from '../query/validate-catalogue-query.js';
import { runSqliteMigrations } from './sqlite-migrations.js';
import { checkChangesLimit, parseSequencePosition } from './sequence-position.js';
import { toStoreError } from './sqlite-errors.js';
import { prepareMessage, rowToMessage, type MessageRow, type PreparedMessage } from './sqlite-rows.js';
import { TOPIC_MATCH_FUNCTION, buildSqliteWhere } from './sqlite-where.js';

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
        db.function(TOPIC_MATCH_FUNCTION, { deterministic: true }, (pattern: unknown, topic: unknown) =>
          typeof pattern === 'string' && typeof topic === 'string' && this.matcher(pattern).test(topic) ? 1 : 0,
        );
        runSqliteMigrations(db);
      } catch (error) {
        db.close();
        throw error;
      }
      this.database = db;
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
      const statements = this.insertStatements(db);
      return db.transaction((batch: readonly PreparedMessage[]) => {
        const inserted: string[] = [];
        const duplicates: string[] = [];
        const topics = new Map<string, SummaryRow>();
        for (const message of batch) {
          const result = statements.message.run(message.row);
          if (result.changes === 0) {
            duplicates.push(message.row.id);
            continue;
          }
          const n = Number(result.lastInsertRowid);
          inserted.push(message.row.id);
          statements.text.run(n, message.text);
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
      if (result.inserted.length > 0) this.notifyInserted();
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

  find(query: MessageQuery): Promise<MessagePage> {
    return this.run('find', () => {
      const { query: valid, position } = checkQuery(query);
      const rowsPerPage = valid.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
      const window = position?.window ?? queryWindow(valid);
      const page = position?.page ?? valid.page ?? 1;
      const descending = (valid.order ?? 'desc') === 'desc';
      const direction = descending ? 'DESC' : 'ASC';
      const where = buildSqliteWhere(valid, window);
      const total = this.exactCount(valid, where.sql, where.params);
      const sql = [`SELECT m.* FROM messages m WHERE ${where.sql}`];
      const params: (string | number)[] = [...where.params];
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
      const rows = this.db().prepare(sql.join(' ')).all(...params) as MessageRow[];
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
          ? { nextCursor: encodeCursor(valid, { time: last.time, id: last.id, page: page + 1, window }) }
          : {}),
      };
    });
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
      const where = buildSqliteWhere(valid, queryWindow(valid));
      return { count: this.exactCount(valid, where.sql, where.params), exact: true };
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

  private exactCount(query: MessageQuery, whereSql: string, params: readonly (string | number)[]): number {
    if (selectsEverything(query)) return this.counter();
    return this.db().prepare(`SELECT count(*) FROM messages m WHERE ${whereSql}`).pluck().get(...params) as number;
  }

  private counter(): number {
    return this.db().prepare("SELECT value FROM store_counter WHERE name = 'messages'").pluck().get() as number;
  }

  private insertStatements(db: Database.Database) {
    return {
      message: db.prepare(`INSERT OR IGNORE INTO messages (id, time, topic, category, agent, producer_name, producer_host,
        producer_pid, producer_instance, seq, headers, body, signature, users, packages) VALUES (@id, @time, @topic, @category,
        @agent, @producer_name, @producer_host, @producer_pid, @producer_instance, @seq, @headers, @body, @signature, @users, @packages)`),
      text: db.prepare('INSERT INTO message_text (rowid, text) VALUES (?, ?)'),
      user: db.prepare('INSERT OR IGNORE INTO message_users (user, time, n) VALUES (?, ?, ?)'),
      package: db.prepare('INSERT OR IGNORE INTO message_packages (package, time, n) VALUES (?, ?, ?)'),
      summary: db.prepare(`INSERT INTO topic_summary (topic, category, count, first_seen, last_seen)
        VALUES (@topic, @category, @count, @first_seen, @last_seen) ON CONFLICT (topic) DO UPDATE SET
        count = count + excluded.count, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`),
      counter: db.prepare("UPDATE store_counter SET value = value + ? WHERE name = 'messages'"),
    };
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
