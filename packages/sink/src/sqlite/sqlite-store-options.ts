/**
 * How SQLite syncs commits in WAL mode. `FULL` (the default): each commit is on disk when `insertMany`
 * resolves, so an acked message survives a power cut. `NORMAL` survives a crash of the process but may lose
 * the last commits on power loss; faster, for bulk loads only.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

/** Default {@link SqliteStoreOptions.cacheMb}. */
export const DEFAULT_CACHE_MB = 256;

/** Default {@link SqliteStoreOptions.mmapMb}. */
export const DEFAULT_MMAP_MB = 2048;

/** Default {@link SqliteStoreOptions.containsScanRows}: about where checking rows one by one costs as much as asking the index. */
export const DEFAULT_CONTAINS_SCAN_ROWS = 10_000;

/** Options of `SqliteMessageStore`. */
export interface SqliteStoreOptions {
  /** Default `FULL`; see {@link SqliteSynchronous}. */
  readonly synchronous?: SqliteSynchronous;
  /** How long (ms) to wait for another writer's lock before failing with a retryable error. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Caps the file at this many pages (`PRAGMA max_page_count`, pages of 4 KiB): past it, writes fail as on a
   * full disk (a retryable `SQLITE_FULL`, so an archiver stops acking and retries) until rows are deleted. Default: no cap.
   */
  readonly maxPageCount?: number;
  /** SQLite page cache (MB). Default {@link DEFAULT_CACHE_MB}. */
  readonly cacheMb?: number;
  /**
   * How much of the file (MB) SQLite reads through a memory map (`PRAGMA mmap_size`; SQLite caps it at its
   * compile-time maximum, 2 GB here). Default {@link DEFAULT_MMAP_MB}; 0 reads with system calls only. The map
   * uses the operating system's page cache, not the process heap; an I/O error while reading a mapped page
   * stops the process (SIGBUS) instead of failing one query.
   */
  readonly mmapMb?: number;
  /**
   * Fill the indexes that are kept out of `insertMany` (users, packages, agents, and the `contains` text index)
   * in the background after each `insertMany`, in chunks between other work. Default true. When false, call
   * `SqliteMessageStore.catchUpIndexes`. Either way every query is exact: rows not yet indexed are checked directly.
   */
  readonly indexInBackground?: boolean;
  /**
   * Filter sets whose exact totals this instance keeps and brings up to date with the rows archived since,
   * instead of counting every match again for each page (default 1024; 0 keeps none).
   */
  readonly totalCacheEntries?: number;
  /**
   * Filter sets (with their order) for which this instance remembers where the pages it served started and ended,
   * so that `page` N is read from the nearest such row instead of by skipping every row in front of it (default
   * 256; 0 remembers none).
   */
  readonly pageAnchorSets?: number;
  /**
   * A `contains` over a time window of at most this many rows (or, without a window, over an archive of at most
   * this many) checks each row instead of asking the text index first: cheaper for few rows. Default
   * {@link DEFAULT_CONTAINS_SCAN_ROWS}; 0 always asks the index (tests use it to exercise the index on small files).
   */
  readonly containsScanRows?: number;
  /** @deprecated the former name of {@link SqliteStoreOptions.indexInBackground}; it now covers every deferred index. */
  readonly indexTextInBackground?: boolean;
}
