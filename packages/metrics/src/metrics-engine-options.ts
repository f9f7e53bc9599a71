/** Default {@link MetricsEngineOptions.coalesceMs}: inside the second in which a count should be visible, with room for the write. */
export const DEFAULT_COALESCE_MS = 750;

/** How the engine follows the archive. */
export interface MetricsEngineOptions {
  /** Polling period of the change feed, for messages written by other processes (ms). */
  readonly pollIntervalMs?: number;
  /** Most messages per rollup transaction. */
  readonly batchSize?: number;
  /** Period of pruning buckets past their retention (ms). */
  readonly pruneIntervalMs?: number;
  /**
   * Least time between two runs over the feed when following (ms): inserts that come meanwhile are taken in one batch.
   * Default {@link DEFAULT_COALESCE_MS}; 0 takes each insert at once.
   */
  readonly coalesceMs?: number;
  /** The clock (ms), for retention. */
  readonly now?: () => number;
}

/** What a rebuild reports as it goes. */
export interface RebuildProgress {
  /** Messages of the archive read so far (by the slowest plugin being rebuilt). */
  readonly done: number;
  /** Messages to read in all (the archive's head position when it started, for stores whose positions count). */
  readonly total: number;
}

/** Totals of an engine. */
export interface MetricsEngineCounters {
  /** Messages taken into rollups, per batch counted once per plugin group. */
  readonly messages: number;
  readonly batches: number;
  /** Batches another writer committed first (redone from the new position). */
  readonly conflicts: number;
  /** Messages taken as this process's store handed them over, without reading them back from the change feed. */
  readonly handedOver: number;
  readonly events: number;
  /** Messages or events a plugin threw on, per plugin. */
  readonly errors: Readonly<Record<string, number>>;
}
