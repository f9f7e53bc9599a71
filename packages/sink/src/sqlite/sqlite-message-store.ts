import type Database from 'better-sqlite3';
import {
  QueryError,
  StoreError,
  type ArchiveMaintenance,
  compilePattern,
  type ArchivedMessage,
  type ChangeBatch,
  type ChangesOptions,
  type CountResult,
  type InsertedChanges,
  type InsertResult,
  type MessagePage,
  type MessageQuery,
  type MessageStore,
  type RollupAdvance,
  type RollupCell,
  type RollupPage,
  type RollupPageRange,
  type RollupPosition,
  type RollupRange,
  type RollupRow,
  type RollupStore,
  type SeriesCount,
  type PruneResult,
  type RedactionPath,
  type RetentionSelection,
  type StoreStats,
  type TopicCatalogueQuery,
  type TopicMatcher,
  type TopicSummary,
} from '@statbus/core';
import { checkChangesLimit, parseSequencePosition } from './sequence-position.js';
import { JS_LOWER_FUNCTION, openSqliteDatabase } from './open-sqlite-database.js';
import { SqliteBatchWriter, type WrittenBatch } from './sqlite-batch-writer.js';
import { SqliteCatalogue } from './sqlite-catalogue.js';
import { SqliteDeferredIndexer } from './sqlite-deferred-indexer.js';
import { DEFAULT_PRUNE_BATCH, SqliteMaintenance } from './sqlite-maintenance.js';
import { toStoreError } from './sqlite-errors.js';
import { SqlitePageAnchors } from './sqlite-page-anchors.js';
import { SqlitePageFinder } from './sqlite-page-finder.js';
import { SqliteQueryPlanner } from './sqlite-query-planner.js';
import { prepareMessage, rawRowToMessage, ROW_COLUMNS_WITHOUT_CONTENT, rowToMessage, type MessageRow, type RawRowWithoutContent } from './sqlite-rows.js';
import { SqliteStatementCache } from './sqlite-statement-cache.js';
import { SqliteRollups } from './sqlite-rollups.js';
import { readStoreCounter } from './sqlite-store-counter.js';
import { DEFAULT_CONTAINS_SCAN_ROWS, type SqliteStoreOptions } from './sqlite-store-options.js';
import { SqliteTextCandidates } from './sqlite-text-candidates.js';
import { SqliteTotalCache } from './sqlite-total-cache.js';
import { TrigramSample } from './trigram-sample.js';

const MATCHER_CACHE_SIZE = 256;

/**
 * Longest SQLite itself waits for a lock (ms) once the store is open. better-sqlite3 waits on the calling
 * thread, so a longer wait would stop every timer and request of the process (probes included) while another
 * process holds the lock; `insertMany` instead tries again between other work until `busyTimeoutMs` has passed.
 */
const BUSY_SLICE_MS = 20;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/u.test(code);
}

/** The parts of an open store, made by `init()`, dropped by `close()`. */
interface OpenStore {
  readonly db: Database.Database;
  readonly statements: SqliteStatementCache;
  readonly writer: SqliteBatchWriter;
  readonly indexer: SqliteDeferredIndexer;
  readonly finder: SqlitePageFinder;
  readonly catalogue: SqliteCatalogue;
  readonly planner: SqliteQueryPlanner;
  readonly rollups: SqliteRollups;
  readonly totals: SqliteTotalCache;
  readonly anchors: SqlitePageAnchors;
}

/**
 * The embedded archive (the default `store = "sqlite:./statbus.db"`): one SQLite file in WAL mode,
 * migrated by {@link SqliteMessageStore.init}. better-sqlite3 is synchronous, so each method does its work
 * on the calling thread and returns a settled promise; queries are short thanks to the indexes.
 *
 * `insertMany` writes the rows and the indexes that grow at a few places per batch (id, time, topic,
 * category); the users, packages, agents and text indexes are filled after the commit, in large chunks
 * ({@link SqliteMessageStore.catchUpIndexes}), and rows not yet in them are checked directly.
 */
export class SqliteMessageStore implements MessageStore, RollupStore, ArchiveMaintenance {
  readonly path: string;
  private readonly options: SqliteStoreOptions;
  private store: OpenStore | undefined;
  private closed = false;
  private readonly matchers = new Map<string, TopicMatcher>();
  private readonly listeners = new Set<(inserted?: InsertedChanges) => void>();

  /** @param path a file path, or `:memory:` for a throw-away store. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.options = options;
  }

  /** Opens the file (creating its directory), sets WAL and the sync mode, runs pending migrations. */
  init(): Promise<void> {
    return this.run('init', () => {
      if (this.closed) throw new StoreError('SQLite store: closed', { retryable: false });
      if (this.store !== undefined) return;
      const db = openSqliteDatabase(this.path, this.options, (pattern) => this.matcher(pattern));
      const statements = new SqliteStatementCache(db);
      const background = this.options.indexInBackground ?? this.options.indexTextInBackground ?? true;
      const trigrams = new TrigramSample({
        messageCount: () => readStoreCounter(statements, 'messages'),
        sampleBodies: (count) => sampleBodies(statements, count),
      });
      const planner = new SqliteQueryPlanner(
        statements,
        new SqliteTextCandidates(statements, trigrams),
        this.options.containsScanRows ?? DEFAULT_CONTAINS_SCAN_ROWS,
      );
      const totals = new SqliteTotalCache(this.options.totalCacheEntries);
      const anchors = new SqlitePageAnchors(this.options.pageAnchorSets);
      this.store = {
        db,
        statements,
        writer: new SqliteBatchWriter(db),
        indexer: new SqliteDeferredIndexer(db, statements, background),
        finder: new SqlitePageFinder(db, statements, planner, totals, anchors),
        catalogue: new SqliteCatalogue(statements),
        planner,
        rollups: new SqliteRollups(db, statements, this.path),
        totals,
        anchors,
      };
      this.store.indexer.schedule();
      db.pragma(`busy_timeout = ${Math.min(BUSY_SLICE_MS, this.options.busyTimeoutMs ?? BUSY_SLICE_MS)}`);
      if (this.options.maxPageCount !== undefined) db.pragma(`max_page_count = ${this.options.maxPageCount}`);
    });
  }

  /** The schema versions applied to this file. */
  schemaVersions(): number[] {
    return this.open().db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  }

  /**
   * One transaction per call; resolves after the commit (durable with `synchronous = FULL`). While another
   * connection holds the write lock it tries again, letting other work run in between, for up to
   * `busyTimeoutMs`, then rejects with a retryable {@link StoreError}.
   */
  async insertMany(messages: readonly ArchivedMessage[]): Promise<InsertResult> {
    const prepared = await this.run('insertMany', () => messages.map(prepareMessage));
    const deadline = Date.now() + (this.options.busyTimeoutMs ?? 5000);
    let written: WrittenBatch | undefined;
    while (written === undefined) {
      try {
        written = this.open().writer.write(prepared);
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw toStoreError(error, 'insertMany');
        await new Promise((resolve) => setTimeout(resolve, BUSY_SLICE_MS));
      }
    }
    if (written.inserted.length > 0) {
      this.store?.indexer.schedule();
      this.notifyInserted(messages, written.stored);
    }
    return { inserted: written.inserted, duplicates: written.duplicates };
  }

  /**
   * Positions are the row key `n`: with SQLite's single writer, `n` grows in commit order, so a reader
   * passing back the last position misses nothing and sees nothing twice.
   */
  changes(after: string | undefined, limit: number, options: ChangesOptions = {}): Promise<ChangeBatch> {
    return this.run('changes', () => {
      const from = parseSequencePosition(after);
      checkChangesLimit(limit);
      const { statements } = this.open();
      if (options.content === false) {
        const raw = statements.get(`SELECT ${ROW_COLUMNS_WITHOUT_CONTENT} FROM messages WHERE n > ? ORDER BY n LIMIT ?`).raw().all(from, limit) as RawRowWithoutContent[];
        const changes = raw.map((row) => ({ position: String(row[0]), message: rawRowToMessage(row) }));
        return { changes, position: String(raw[raw.length - 1]?.[0] ?? from) };
      }
      const rows = statements.get('SELECT * FROM messages WHERE n > ? ORDER BY n LIMIT ?').all(from, limit) as MessageRow[];
      const last = rows[rows.length - 1];
      return {
        changes: rows.map((row) => ({ position: String(row.n), message: rowToMessage(row) })),
        position: String(last?.n ?? from),
      };
    });
  }

  changesHead(): Promise<string> {
    return this.run('changesHead', () => String((this.open().statements.get('SELECT max(n) FROM messages').pluck().get() as number | null) ?? 0));
  }

  /** Listeners run after each `insertMany` of this instance that stored something. */
  onInserted(listener: (inserted?: InsertedChanges) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Count and page are read in one transaction: the same snapshot, even with another process writing. */
  find(query: MessageQuery): Promise<MessagePage> {
    return this.run('find', () => this.open().finder.find(query));
  }

  get(id: string): Promise<ArchivedMessage | undefined> {
    return this.run('get', () => {
      const row = this.open().statements.get('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
      return row === undefined ? undefined : rowToMessage(row);
    });
  }

  /** Exact always: with `estimate` and no filter it reads the maintained counter instead of counting rows. */
  count(query: MessageQuery, options?: { estimate?: boolean }): Promise<CountResult> {
    return this.run('count', () => this.open().finder.count(query, options));
  }

  /** From the topic summary table, sorted by topic; counts are all-time totals of the topics listed. */
  topics(query: TopicCatalogueQuery = {}): Promise<readonly TopicSummary[]> {
    return this.run('topics', () => this.open().catalogue.topics(query));
  }

  stats(): Promise<StoreStats> {
    return this.run('stats', () => {
      const { catalogue, statements } = this.open();
      return catalogue.stats(readStoreCounter(statements, 'messages'));
    });
  }

  /**
   * Adds up to `maxRows` not-yet-indexed messages, oldest first, to the users, packages and agents tables and to
   * the `contains` text index, in large transactions. Returns how many messages the index that moved furthest
   * took in (0 when all were complete). Safe with several processes on one file.
   */
  catchUpIndexes(maxRows?: number): Promise<number> {
    return this.run('catchUpIndexes', () => this.open().indexer.catchUp(maxRows));
  }

  /** @deprecated the former name of {@link SqliteMessageStore.catchUpIndexes}, which fills every deferred index. */
  indexText(maxRows?: number): Promise<number> {
    return this.catchUpIndexes(maxRows);
  }

  rollupPositions(): Promise<Readonly<Record<string, RollupPosition>>> {
    return this.run('rollupPositions', () => this.open().rollups.positions());
  }

  /** One `BEGIN IMMEDIATE` transaction: the positions' compare-and-set, the cells and the new positions commit together. */
  applyRollups(cells: readonly RollupCell[], advances: readonly RollupAdvance[]): Promise<boolean> {
    return this.run('applyRollups', () => this.open().rollups.apply(cells, advances));
  }

  readRollups(range: RollupRange): Promise<readonly RollupRow[]> {
    return this.run('readRollups', () => this.open().rollups.read(range));
  }

  readRollupPage(range: RollupPageRange): Promise<RollupPage> {
    return this.run('readRollupPage', () => this.open().rollups.page(range));
  }

  topRollups(range: RollupRange & { readonly field: string; readonly limit: number }): Promise<readonly { key: string; value: number }[]> {
    return this.run('topRollups', () => this.open().rollups.top(range));
  }

  pruneRollups(plugin: string, interval: string, before: number): Promise<number> {
    return this.run('pruneRollups', () => this.open().rollups.prune(plugin, interval, before));
  }

  resetRollups(plugin: string, since?: number): Promise<void> {
    return this.run('resetRollups', () => this.open().rollups.reset(plugin, since));
  }

  /** One `GROUP BY` over the rows the query's indexes select, in one read transaction. */
  countSeries(query: MessageQuery, intervalMs: number): Promise<readonly SeriesCount[]> {
    return this.run('countSeries', () => {
      const { rollups, planner } = this.open();
      return rollups.series(planner, query, intervalMs);
    });
  }

  /** The file, its WAL and shared-memory file. */
  storageBytes(): Promise<number> {
    return this.run('storageBytes', () => this.open().rollups.storageBytes());
  }

  /** Removes the messages with these ids, keeping users, packages, agents, the topic catalogue and the counter consistent. */
  deleteMessages(ids: readonly string[]): Promise<readonly string[]> {
    return this.run('deleteMessages', () => this.maintain((maintenance) => maintenance.deleteIds(ids)));
  }

  /** Redacts one message in place (see {@link ArchiveMaintenance.redactMessage}). */
  redactMessage(id: string, paths: readonly RedactionPath[]): Promise<boolean> {
    return this.run('redactMessage', () => this.maintain((maintenance) => maintenance.redact(id, paths)));
  }

  /** Removes old messages in batches, one transaction each, yielding to the event loop between them. */
  async prune(selection: RetentionSelection, options: { readonly batchSize?: number; readonly signal?: AbortSignal } = {}): Promise<PruneResult> {
    let deleted = 0;
    let batches = 0;
    for (;;) {
      if (options.signal?.aborted === true) break;
      const removed = await this.run('prune', () => this.maintain((maintenance) => maintenance.pruneBatch(selection, options.batchSize ?? DEFAULT_PRUNE_BATCH)));
      if (removed === 0) break;
      deleted += removed;
      batches += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { deleted, batches };
  }

  /** SQLite's online backup API: copies pages in steps while this and other connections go on writing. */
  async backup(file: string): Promise<void> {
    const { db } = this.open();
    try {
      await db.backup(file);
    } catch (error) {
      throw toStoreError(error, 'backup');
    }
  }

  close(): Promise<void> {
    this.closed = true;
    const store = this.store;
    this.store = undefined;
    store?.indexer.stop();
    return this.run('close', () => {
      if (store?.db.open === true) store.db.close();
    });
  }

  /** The rows were written in one transaction holding the write lock: nothing else sits between their positions. */
  private notifyInserted(messages: readonly ArchivedMessage[], stored: WrittenBatch['stored']): void {
    if (this.listeners.size === 0) return;
    const first = stored[0];
    const inserted: InsertedChanges | undefined =
      first === undefined
        ? undefined
        : {
            after: String(first.n - 1),
            changes: stored.map(({ index, n }) => {
              const message = messages[index] as ArchivedMessage;
              // As stored (and as the feed returns it): the time in whole milliseconds.
              const { time } = message.envelope;
              return { position: String(n), message: Number.isInteger(time) ? message : { ...message, envelope: { ...message.envelope, time: Math.trunc(time) } } };
            }),
          };
    for (const listener of [...this.listeners]) {
      try {
        listener(inserted);
      } catch {
        // A listener's failure is its own; the write succeeded.
      }
    }
  }

  private maintain<T>(work: (maintenance: SqliteMaintenance) => T): T {
    const store = this.open();
    const result = work(new SqliteMaintenance(store.db, store.statements));
    // Totals and page anchors assume an archive that only grows: after a removal or an edit they are counted afresh.
    store.totals.clear();
    store.anchors.clear();
    return result;
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

  private open(): OpenStore {
    if (this.store === undefined) {
      throw new StoreError(this.closed ? 'SQLite store: closed' : 'SQLite store: call init() first', { retryable: false });
    }
    return this.store;
  }

  private run<T>(doing: string, work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof QueryError ? error : toStoreError(error, doing));
    }
  }
}

/**
 * Up to `count` bodies at random over the archive, lower-cased as the text index holds them. Random, not every
 * k-th row: a regular stride can fall in step with a pattern of the traffic and miss whole kinds of messages.
 */
function sampleBodies(statements: SqliteStatementCache, count: number): string[] {
  const last = (statements.get('SELECT max(n) FROM messages').pluck().get() as number | null) ?? 0;
  const keys = Array.from({ length: Math.min(count, last) }, () => 1 + Math.floor(Math.random() * last));
  return statements
    .get(`SELECT CASE WHEN length(body) = octet_length(body) THEN lower(body) ELSE ${JS_LOWER_FUNCTION}(body) END
      FROM messages WHERE n IN (SELECT value FROM json_each(?))`)
    .pluck()
    .all(JSON.stringify(keys)) as string[];
}
