import type { SqliteTuning } from './sqlite-tuning.js';

/**
 * How SQLite syncs commits in WAL mode. `FULL` (the default): each commit is on disk when `insertMany`
 * resolves, so an acked message survives a power cut. `NORMAL` survives a crash of the process but may lose
 * the last commits on power loss; for bulk loads only.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

/**
 * Options of `SqliteMessageStore`: durability, when the deferred indexes are filled, and any of the tuning of
 * {@link SqliteTuning} (each absent one keeps its default, `SQLITE_TUNING_DEFAULTS`).
 */
export interface SqliteStoreOptions extends Partial<SqliteTuning> {
  /** Default `FULL`; see {@link SqliteSynchronous}. */
  readonly synchronous?: SqliteSynchronous;
  /**
   * Caps the file at this many pages (`PRAGMA max_page_count`, pages of 4 KiB): past it, writes fail as on a
   * full disk (a retryable `SQLITE_FULL`, so an archiver stops acking and retries) until rows are deleted. Default: no cap.
   */
  readonly maxPageCount?: number;
  /**
   * Fill the indexes that are kept out of `insertMany` (users, packages, agents, and the `contains` text index)
   * in the background after each `insertMany`, in chunks between other work. Default true. When false, call
   * `SqliteMessageStore.catchUpIndexes`. Either way every query is exact: rows not yet indexed are checked directly.
   */
  readonly indexInBackground?: boolean;
  /**
   * With `indexInBackground`, fill those indexes on a worker thread with its own connection to the file, so that the
   * thread calling `insertMany` does no index work (a `:memory:` store indexes on its own thread). Default true. A write
   * of the store's that meets the worker holding the write lock waits for it to let go (up to `busyTimeoutMs`).
   */
  readonly indexInWorker?: boolean;
  /** @deprecated the former name of {@link SqliteStoreOptions.indexInBackground}; it now covers every deferred index. */
  readonly indexTextInBackground?: boolean;
}
