import type Database from 'better-sqlite3';
import {
  QueryError,
  RETENTION_DEFAULTS,
  StoreError,
  type ArchiveMaintenance,
  type MaintenanceOptions,
  compilePattern,
  type ArchivedMessage,
  type StoredJsonFinder,
  type StoredJsonPage,
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
import { openSqliteDatabase } from './schema/open-sqlite-database.js';
import { SqliteBatchWriter, type WrittenBatch } from './write/sqlite-batch-writer.js';
import { SqliteBulkLoad } from './write/sqlite-bulk-load.js';
import { SqliteBulkTextIndex } from './write/sqlite-bulk-text-index.js';
import { insertedChanges } from './write/inserted-changes.js';
import { SqliteCatalogue } from './read/sqlite-catalogue.js';
import { SqliteDeferredIndexer } from './write/sqlite-deferred-indexer.js';
import { FileWorkerLocks } from './write/index-worker-lock.js';
import { SqliteIndexWorker, type DeferredIndexing } from './write/sqlite-index-worker.js';
import { SqliteMaintenance } from './sqlite-maintenance.js';
import { isBusy, toStoreError } from './sqlite-errors.js';
import { SqlitePageAnchors } from './cache/sqlite-page-anchors.js';
import { SqlitePageFinder } from './read/sqlite-page-finder.js';
import { rawMessageRowToStoredJson } from './read/sqlite-raw-rows.js';
import { SqliteQueryPlanner } from './plan/sqlite-query-planner.js';
import { prepareMessage, rowToMessage, type MessageRow } from './schema/sqlite-rows.js';
import { readChanges } from './read/sqlite-changes.js';
import { SqliteStatementCache } from './cache/sqlite-statement-cache.js';
import { SqliteRollups } from './sqlite-rollups.js';
import { readHead, readStoreCounter } from './schema/sqlite-store-counter.js';
import type { SqliteStoreOptions } from './sqlite-store-options.js';
import { resolveSqliteTuning, type SqliteTuning } from './sqlite-tuning.js';
import { SqliteTextCandidates } from './text-index/sqlite-text-candidates.js';
import { SqliteTotalCache } from './cache/sqlite-total-cache.js';
import { sampleBodies } from './text-index/sample-bodies.js';
import { BITMAP_BLOCK_ROWS } from './text-index/trigram-bitmaps.js';
import { TrigramSample } from './text-index/trigram-sample.js';

/** The parts of an open store, made by `init()`, dropped by `close()`. */
interface OpenStore {
  readonly db: Database.Database;
  readonly statements: SqliteStatementCache;
  readonly writer: SqliteBatchWriter;
  readonly indexer: DeferredIndexing;
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
export class SqliteMessageStore implements MessageStore, RollupStore, ArchiveMaintenance, StoredJsonFinder {
  readonly path: string;
  /** The tuning in effect: the options given, defaults for the rest. */
  readonly tuning: SqliteTuning;
  private readonly options: SqliteStoreOptions;
  private store: OpenStore | undefined;
  private closed = false;
  /** Set during {@link SqliteMessageStore.bulkLoad}. */
  private bulk: SqliteBulkLoad | undefined;
  private readonly matchers = new Map<string, TopicMatcher>();
  private readonly listeners = new Set<(inserted?: InsertedChanges) => void>();
  /** The index workers of this process on the file (this store's, and those of other stores opened on it). */
  private readonly workerLocks: FileWorkerLocks;

  /** @param path a file path, or `:memory:` for a throw-away store. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.options = options;
    this.tuning = resolveSqliteTuning(options);
    this.workerLocks = new FileWorkerLocks(path);
  }

  /** Opens the file (creating its directory), sets WAL and the sync mode, runs pending migrations. */
  init(): Promise<void> {
    return this.run('init', () => {
      if (this.closed) throw new StoreError('SQLite store: closed', { retryable: false });
      if (this.store !== undefined) return;
      const { tuning } = this;
      const db = openSqliteDatabase(this.path, this.options, tuning, (pattern) => this.matcher(pattern));
      const statements = new SqliteStatementCache(db, tuning.statementCacheSize);
      const background = this.options.indexInBackground ?? this.options.indexTextInBackground ?? true;
      const trigrams = new TrigramSample(
        { messageCount: () => readStoreCounter(statements, 'messages'), sampleBodies: (count) => sampleBodies(statements, count) },
        tuning.trigramSampleRows,
        tuning.trigramResampleGrowth,
      );
      const text = new SqliteTextCandidates(statements, trigrams, { max: tuning.containsMaxTrigrams, atLeast: tuning.containsMinTrigrams });
      const totals = new SqliteTotalCache(tuning.totalCacheEntries);
      const planner = new SqliteQueryPlanner(statements, text, totals, tuning);
      const anchors = new SqlitePageAnchors(tuning.pageAnchorSets, tuning.anchorsPerSet, tuning.anchorsTried);
      const indexing = { sideChunk: tuning.sideIndexChunk, textChunk: tuning.textIndexChunkBlocks * BITMAP_BLOCK_ROWS, idleDelayMs: tuning.indexIdleDelayMs };
      const here = new SqliteDeferredIndexer(db, statements, background, indexing);
      const inWorker = background && this.path !== ':memory:' && this.path !== '' && (this.options.indexInWorker ?? true);
      this.store = {
        db,
        statements,
        writer: new SqliteBatchWriter(db),
        indexer: inWorker
          ? new SqliteIndexWorker({ path: this.path, indexing, busyTimeoutMs: tuning.busyTimeoutMs, cacheMb: tuning.cacheMb, mmapMb: tuning.mmapMb }, here)
          : here,
        finder: new SqlitePageFinder(db, statements, planner, totals, anchors),
        catalogue: new SqliteCatalogue(statements),
        planner,
        rollups: new SqliteRollups(db, statements, this.path),
        totals,
        anchors,
      };
      this.store.indexer.schedule();
      db.pragma(`busy_timeout = ${Math.min(tuning.busySliceMs, tuning.busyTimeoutMs)}`);
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
    const deadline = Date.now() + (this.bulk?.busyTimeoutMs ?? this.tuning.busyTimeoutMs);
    let written: WrittenBatch | undefined;
    while (written === undefined) {
      try {
        const { writer } = this.open();
        written = this.bulk === undefined ? writer.write(prepared) : this.bulk.write(writer, prepared);
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw toStoreError(error, 'insertMany');
        await new Promise((resolve) => setTimeout(resolve, this.tuning.busySliceMs));
      }
    }
    if (written.inserted.length > 0) {
      this.store?.indexer.schedule();
      this.notifyInserted(messages, written.stored);
    }
    return { inserted: written.inserted, duplicates: written.duplicates };
  }

  /** Positions are the row key `n`, which grows in commit order (see {@link readChanges}). */
  changes(after: string | undefined, limit: number, options: ChangesOptions = {}): Promise<ChangeBatch> {
    return this.run('changes', () => readChanges(this.open().statements, after, limit, options));
  }

  changesHead(): Promise<string> {
    return this.run('changesHead', () => String(readHead(this.open().statements)));
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

  /** `find` with each message as stored (`StoredJsonFinder`): its JSON columns not parsed. */
  findStoredJson(query: MessageQuery): Promise<StoredJsonPage> {
    return this.run('find', () => this.open().finder.findAs(query, rawMessageRowToStoredJson));
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
  async catchUpIndexes(maxRows?: number): Promise<number> {
    const indexed = await this.run('catchUpIndexes', () => this.open().indexer.catchUp(maxRows));
    return indexed;
  }

  /**
   * Runs `work` (a bulk load: `statbus db import`) with commits not synced one by one (`synchronous = NORMAL`:
   * a crash of the process loses nothing committed, a power cut may lose the last commits but never the file's
   * consistency), `insertMany` calls committed together every `bulkCommitRows` messages (tuning) (another writer of
   * the file waits meanwhile; a call that fails rolls back every call since the last commit with it, and every later
   * call of the load rejects: the load is to be run again, as an import can), and no indexing between its writes on
   * the calling thread: the index worker (`indexInWorker`, the default) indexes what each of the load's commits made
   * visible, beside the load; without one, the text index of the loaded messages is built from their bodies as they
   * are written, a block at a time, in the load's transactions. Afterwards the configured sync mode is back, the WAL
   * is checkpointed (synced), and the rest of the deferred indexes is left to
   * {@link SqliteMessageStore.catchUpIndexes} (or to the background indexer, which is scheduled again). Settles with
   * `work`'s outcome.
   */
  async bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    const { db, indexer, statements } = this.open();
    // An index worker goes on filling the text index beside the load: the load leaves it to the worker.
    const text = indexer instanceof SqliteIndexWorker ? undefined : new SqliteBulkTextIndex(statements);
    const bulk = new SqliteBulkLoad(db, indexer, this.options.synchronous ?? 'FULL', this.tuning.bulkCommitRows, this.tuning.busyTimeoutMs, text);
    this.bulk = bulk;
    try {
      return await work();
    } finally {
      this.bulk = undefined;
      bulk.end();
    }
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

  rebuildingRollups(active: boolean): Promise<void> {
    return this.run('rebuildingRollups', () => this.open().rollups.rebuilding(active));
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
  deleteMessages(ids: readonly string[], options?: MaintenanceOptions): Promise<readonly string[]> {
    return this.run('deleteMessages', () => this.maintain((maintenance) => maintenance.deleteIds(ids, options)));
  }

  /** Redacts one message in place (see {@link ArchiveMaintenance.redactMessage}). */
  redactMessage(id: string, paths: readonly RedactionPath[], options?: MaintenanceOptions): Promise<boolean> {
    return this.run('redactMessage', () => this.maintain((maintenance) => maintenance.redact(id, paths, options)));
  }

  /**
   * Removes old messages in batches, one transaction each, yielding to the event loop between them. The batch is
   * `[sink.retention] batch_size`'s default unless `batchSize` is given: small enough that the archiver's next write
   * waits only briefly.
   */
  async prune(selection: RetentionSelection, options: { readonly batchSize?: number; readonly signal?: AbortSignal } = {}): Promise<PruneResult> {
    let deleted = 0;
    let batches = 0;
    for (;;) {
      if (options.signal?.aborted === true) break;
      const removed = await this.run('prune', () => this.maintain((maintenance) => maintenance.pruneBatch(selection, options.batchSize ?? RETENTION_DEFAULTS.batch_size)));
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

  async close(): Promise<void> {
    this.closed = true;
    const store = this.store;
    this.store = undefined;
    await store?.indexer.stop();
    return this.run('close', () => {
      if (store?.db.open === true) store.db.close();
    });
  }

  private notifyInserted(messages: readonly ArchivedMessage[], stored: WrittenBatch['stored']): void {
    if (this.listeners.size === 0) return;
    const inserted = insertedChanges(messages, stored);
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
    // A redaction moves the text index back (see SqliteMaintenance): indexing resumes from there.
    store.indexer.schedule();
    return result;
  }

  private matcher(pattern: string): TopicMatcher {
    let matcher = this.matchers.get(pattern);
    if (matcher === undefined) {
      if (this.matchers.size >= this.tuning.matcherCacheSize) this.matchers.clear();
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

  /**
   * `work` now, its errors as store errors. Refused as busy while an index worker of this process on the file (this
   * store's, or another store's) held the write lock, it runs again once the workers let it go (until
   * `busyTimeoutMs`), between other work; busy for any other holder, it fails at once as before (after SQLite's own
   * short wait), so that a file locked by another process is reported.
   */
  private run<T>(doing: string, work: () => T): Promise<T> {
    const reading = this.workerLocks.read();
    try {
      return Promise.resolve(work());
    } catch (error) {
      if (isBusy(error) && this.workerLocks.heldSince(reading)) return this.runAfterWorkers(doing, work);
      return Promise.reject(error instanceof QueryError ? error : toStoreError(error, doing));
    }
  }

  private async runAfterWorkers<T>(doing: string, work: () => T): Promise<T> {
    const deadline = Date.now() + this.tuning.busyTimeoutMs;
    for (;;) {
      await this.workerLocks.whenReleased(deadline - Date.now());
      const reading = this.workerLocks.read();
      try {
        return work();
      } catch (error) {
        if (isBusy(error) && this.workerLocks.heldSince(reading) && Date.now() < deadline) continue;
        throw error instanceof QueryError ? error : toStoreError(error, doing);
      }
    }
  }
}
