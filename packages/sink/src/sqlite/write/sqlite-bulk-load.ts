import type Database from 'better-sqlite3';
import { StoreError } from '@statbus/core';
import type { PreparedMessage } from '../schema/sqlite-rows.js';
import type { SqliteSynchronous } from '../sqlite-store-options.js';
import type { SqliteBatchWriter, WrittenBatch } from './sqlite-batch-writer.js';
import type { SqliteBulkTextIndex } from './sqlite-bulk-text-index.js';
import type { DeferredIndexing } from './sqlite-index-worker.js';

/** The least an `insertMany` of a bulk load waits for the write lock (ms). */
const BULK_BUSY_TIMEOUT_MS = 60_000;

/**
 * One bulk load (`statbus db import`) of a store: commits not synced one by one (`synchronous = NORMAL`), the
 * batches of many `insertMany` calls written in one transaction without a savepoint each and committed together,
 * and no background indexing between them. Made by `SqliteMessageStore.bulkLoad`, which calls
 * {@link SqliteBulkLoad.end} whatever the load's outcome.
 */
export class SqliteBulkLoad {
  /**
   * How long an `insertMany` of the load waits for the write lock before failing: a load is no service with a
   * deadline, and the index worker filling beside it holds the lock for a chunk at a time.
   */
  readonly busyTimeoutMs: number;
  /** Messages written since the open transaction began. */
  private rows = 0;
  /** Set when a write failed and the open transaction was rolled back. */
  private failure: StoreError | undefined;

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

  /**
   * Writes `batch` in the load's open transaction (begun here if need be: a busy lock is thrown before anything is
   * written, for the caller to try again) and commits once `commitRows` messages have gathered. A batch has no
   * savepoint of its own (SQLite would copy every page the batch touches first): when one fails, the transaction
   * is rolled back, so every batch written since the load's last commit is undone with it, and this and every later
   * call of the load reject with a {@link StoreError} that says so.
   */
  write(writer: SqliteBatchWriter, batch: readonly PreparedMessage[]): WrittenBatch {
    if (this.failure !== undefined) throw this.failure;
    if (!this.db.inTransaction) this.db.exec('BEGIN IMMEDIATE');
    let written: WrittenBatch;
    try {
      this.text?.beginBatch();
      written = writer.writeInTransaction(batch);
      this.text?.indexBatch(batch, written.stored);
    } catch (error) {
      const undone = this.rows;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.rows = 0;
      this.text?.giveUp();
      this.failure = new StoreError(
        `SQLite store: a write of the bulk load failed (${(error as Error).message}); the ${undone} messages written since its last commit were rolled back with it, and the load is over: load again (it is idempotent)`,
        { retryable: false, cause: error },
      );
      throw this.failure;
    }
    this.rows += batch.length;
    if (this.rows >= this.commitRows) {
      this.db.exec('COMMIT');
      this.rows = 0;
    }
    return written;
  }

  /**
   * Commits what was written (even when the work failed after its writes: every `insertMany` written was whole), restores the
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
