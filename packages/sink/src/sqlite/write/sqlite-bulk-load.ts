import type Database from 'better-sqlite3';
import type { PreparedMessage } from '../schema/sqlite-rows.js';
import type { SqliteSynchronous } from '../sqlite-store-options.js';
import type { SqliteBulkTextIndex } from './sqlite-bulk-text-index.js';
import type { DeferredIndexing } from './sqlite-index-worker.js';

/** The least an `insertMany` of a bulk load waits for the write lock (ms). */
const BULK_BUSY_TIMEOUT_MS = 60_000;

/**
 * One bulk load (`statbus db import`) of a store: commits not synced one by one (`synchronous = NORMAL`), the
 * batches of many `insertMany` calls committed together, and no background indexing between them. Made by
 * `SqliteMessageStore.bulkLoad`, which calls {@link SqliteBulkLoad.end} whatever the load's outcome.
 */
export class SqliteBulkLoad {
  /**
   * How long an `insertMany` of the load waits for the write lock before failing: a load is no service with a
   * deadline, and the index worker filling beside it holds the lock for a chunk at a time.
   */
  readonly busyTimeoutMs: number;
  /** Messages written since the open transaction began. */
  private rows = 0;

  /**
   * @param commitRows messages per commit, across `insertMany` calls (the `bulkCommitRows` tuning).
   * @param text builds the text index of the load's messages as they are written (see {@link SqliteBulkTextIndex});
   *   undefined leaves it all to the deferred indexer.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly indexer: DeferredIndexing,
    private readonly synchronous: SqliteSynchronous,
    private readonly commitRows: number,
    busyTimeoutMs: number,
    private readonly text?: SqliteBulkTextIndex,
  ) {
    this.busyTimeoutMs = Math.max(busyTimeoutMs, BULK_BUSY_TIMEOUT_MS);
    db.pragma('synchronous = NORMAL');
    indexer.bulkLoading(true);
  }

  /** Before a batch is written: the batch's own transaction becomes a savepoint of the one kept open over many calls. */
  beforeWrite(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN IMMEDIATE');
    this.text?.beginBatch();
  }

  /** After `batch` was written (`stored`: its new messages and their row keys): commits once enough have gathered. */
  written(batch: readonly PreparedMessage[], stored: readonly { readonly index: number; readonly n: number }[]): void {
    this.text?.indexBatch(batch, stored);
    this.rows += batch.length;
    if (this.rows < this.commitRows) return;
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.rows = 0;
  }

  /**
   * Commits what was written (even when the load failed: every `insertMany` in it was whole), restores the
   * configured sync mode, checkpoints the WAL (synced) and lets the deferred indexes be filled again.
   */
  end(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.pragma(`synchronous = ${this.synchronous}`);
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy with another connection: its own checkpoints, or the next commit (synced again), make the rows durable.
    }
    this.indexer.bulkLoading(false);
  }
}
