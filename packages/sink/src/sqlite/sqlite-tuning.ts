/**
 * The SQLite store's tuning, in one place: every number that trades memory, latency or throughput, with its
 * default. Each is an option of `SqliteMessageStore` (`new SqliteMessageStore(path, { walkMaxRows: 8000 })`) and a
 * key of the `[sink.sqlite]` config table (`walk_max_rows = 8000`). None changes what a query answers, only how
 * fast, how much memory it takes, or when work is done. The text index's layout (block and hash sizes) is not here:
 * it is the file format (`text-index/trigram-bitmaps.ts`).
 */
export interface SqliteTuning {
  /** How long (ms) to wait for another writer's lock before failing with a retryable error. */
  readonly busyTimeoutMs: number;
  /**
   * Longest SQLite itself waits for a lock (ms) at a time. better-sqlite3 waits on the calling thread, so a longer
   * wait would stop every timer and request of the process while another process holds the lock; `insertMany`
   * instead tries again between other work until `busyTimeoutMs` has passed.
   */
  readonly busySliceMs: number;
  /**
   * Messages per commit during `bulkLoad` (an import), across `insertMany` calls: a commit rewrites every index
   * page its messages landed on, and random ids land on a different page each.
   */
  readonly bulkCommitRows: number;
  /** SQLite page cache (MB): far above SQLite's 2 MB, so the hot index pages stay off the disk. */
  readonly cacheMb: number;
  /**
   * How much of the file (MB) SQLite reads through a memory map (`PRAGMA mmap_size`; SQLite caps it at its
   * compile-time maximum). 0 reads with system calls only. The map uses the operating system's page cache, not
   * the process heap; an I/O error while reading a mapped page stops the process (SIGBUS) instead of failing one
   * query. A mapped read skips a system call and a copy per page, which `contains` pays for each candidate row.
   */
  readonly mmapMb: number;
  /**
   * WAL pages (4 KiB) between automatic checkpoints. Above SQLite's 1,000, a page dirtied by many commits is
   * copied back to the file once, not after every commit.
   */
  readonly walAutocheckpointPages: number;
  /** Prepared statements kept by SQL text (preparing costs more than running most indexed queries). */
  readonly statementCacheSize: number;
  /** Compiled topic patterns kept for the `topic_match` SQL function. */
  readonly matcherCacheSize: number;
  /**
   * Messages per transaction of the users, packages and agents tables. Large on purpose: a chunk writes each page
   * of the tables it touches once, so the larger the chunk, the fewer pages written per message.
   */
  readonly sideIndexChunk: number;
  /** Blocks of the text index (4,096 messages each) per transaction: few enough that the event loop is not held long. */
  readonly textIndexChunkBlocks: number;
  /** A backlog smaller than a chunk waits this long (ms) for more messages before it is indexed anyway. */
  readonly indexIdleDelayMs: number;
  /** Filter sets whose exact totals an instance keeps and brings up to date; 0 keeps none. */
  readonly totalCacheEntries: number;
  /** Beyond this many rows archived since a total was counted, it is counted again instead of brought up to date. */
  readonly totalCatchUpRows: number;
  /** Filter sets (with their order) whose page anchors an instance keeps; 0 keeps none. */
  readonly pageAnchorSets: number;
  /** Anchors kept per filter set and order; the least recently found goes first. */
  readonly anchorsPerSet: number;
  /** Anchors tried per request (each of an older snapshot costs a count of the rows archived since). */
  readonly anchorsTried: number;
  /**
   * With its total known, a page is found by walking the time index and checking each row on its own columns
   * when that reads at most this many rows (the rows of the window per match, times the rows wanted).
   */
  readonly walkMaxRows: number;
  /** A topic pattern matching more stored topics than this is matched row by row instead of as a list of topics. */
  readonly expandedTopicsMax: number;
  /**
   * A topic or category filter that selects at least this share of all messages is paged by walking the time
   * index (stopping at the page's end) instead of reading its own index and sorting.
   */
  readonly driveByTimeShare: number;
  /**
   * A `contains` over a time window of at most this many rows (or, without a window, over an archive of at most
   * this many) checks each row instead of asking the text index first. 0 always asks the index.
   */
  readonly containsScanRows: number;
  /**
   * Cost of checking one row of the window read in index order, relative to checking one candidate of the text
   * index (read at random): when the candidates cost more than the window's rows, the rows are checked instead.
   */
  readonly scanRowCost: number;
  /** Trigrams of a needle whose bitmaps are read at most: each costs one row per block of the range. */
  readonly containsMaxTrigrams: number;
  /**
   * Trigrams read at least (when the needle has them): each cuts the false candidates (rows where every trigram
   * read only collides with one of theirs) by about 14 times.
   */
  readonly containsMinTrigrams: number;
  /** Bodies read to estimate how common each trigram is. */
  readonly trigramSampleRows: number;
  /** The trigram sample is read again once the archive has grown by this share since. */
  readonly trigramResampleGrowth: number;
}

/** The defaults of {@link SqliteTuning}. */
export const SQLITE_TUNING_DEFAULTS: SqliteTuning = {
  busyTimeoutMs: 5000,
  busySliceMs: 20,
  bulkCommitRows: 50_000,
  cacheMb: 256,
  mmapMb: 2048,
  walAutocheckpointPages: 20_000,
  statementCacheSize: 256,
  matcherCacheSize: 256,
  sideIndexChunk: 50_000,
  textIndexChunkBlocks: 2,
  indexIdleDelayMs: 100,
  totalCacheEntries: 1024,
  totalCatchUpRows: 20_000,
  pageAnchorSets: 256,
  anchorsPerSet: 32,
  anchorsTried: 3,
  walkMaxRows: 4000,
  expandedTopicsMax: 500,
  driveByTimeShare: 0.02,
  containsScanRows: 10_000,
  scanRowCost: 0.5,
  containsMaxTrigrams: 6,
  containsMinTrigrams: 3,
  trigramSampleRows: 2000,
  trigramResampleGrowth: 0.25,
};

/** The tuning `options` ask for: each value given replaces the default, undefined ones keep it. */
export function resolveSqliteTuning(options: Partial<SqliteTuning>): SqliteTuning {
  const tuning: Record<string, number> = { ...SQLITE_TUNING_DEFAULTS };
  for (const key of Object.keys(SQLITE_TUNING_DEFAULTS)) {
    const value = (options as Record<string, unknown>)[key];
    if (typeof value === 'number') tuning[key] = value;
  }
  return tuning as unknown as SqliteTuning;
}
