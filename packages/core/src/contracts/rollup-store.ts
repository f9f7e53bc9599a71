import type { MessageQuery } from './message-query.js';
import type { MessageStore } from './message-store.js';

/**
 * How a rollup cell combines with what is stored: `add` sums; `max` keeps the larger `value`, and on a tie the
 * larger `text` (so the result never depends on the order batches arrive in).
 */
export type RollupOp = 'add' | 'max';

/** One value of a metric: plugin × interval × bucket × key × field. */
export interface RollupCell {
  readonly plugin: string;
  /** The interval's name, e.g. `1m`, `1h`, `1d`. */
  readonly interval: string;
  /** Bucket start, ms since the epoch (UTC). */
  readonly bucket: number;
  /** The key (a category, topic…); `''` for an unkeyed plugin. */
  readonly key: string;
  readonly field: string;
  readonly op: RollupOp;
  readonly value: number;
  /** With `max`: text that travels with the winning value (e.g. the id of the latest message). */
  readonly text?: string;
}

/**
 * The `max` rule: true when `candidate` beats `current` — a larger `value`, or on a tie a larger `text` (no text
 * counts as `''`). Every store and the metrics engine keep the winner by this one rule.
 */
export function maxCellWins(candidate: RollupCell, current: RollupCell): boolean {
  return candidate.value > current.value || (candidate.value === current.value && (candidate.text ?? '') > (current.text ?? ''));
}

/** Moves a plugin's change-feed position from `from` to `to`, only if it is still at `from`. */
export interface RollupAdvance {
  readonly plugin: string;
  /** The position read before the batch; `undefined` when the plugin had none (new, or reset by a rebuild). */
  readonly from: string | undefined;
  readonly to: string;
}

/** Where a plugin stands in the change feed. */
export interface RollupPosition {
  readonly position: string;
  /**
   * Left by a partial rebuild (`--since`): messages at positions up to and including `skipUntil` whose time is
   * before `skipBefore` (ms) were counted before the rebuild and kept, so they are not counted again.
   */
  readonly skipBefore?: number;
  readonly skipUntil?: string;
}

/** What {@link RollupStore.readRollups} selects. */
export interface RollupRange {
  readonly plugin: string;
  readonly interval: string;
  /** Bucket starts at or after `start` and before `end` (ms). */
  readonly start?: number;
  readonly end?: number;
  /** Only these keys (all when absent). */
  readonly keys?: readonly string[];
  /** Only these fields (all when absent). */
  readonly fields?: readonly string[];
}

/** One stored rollup value. */
export interface RollupRow {
  readonly bucket: number;
  readonly key: string;
  readonly field: string;
  readonly value: number;
  readonly text?: string;
}

/** What {@link RollupStore.readRollupPage} selects: a range, and which of its (bucket, key) groups. */
export interface RollupPageRange extends RollupRange {
  /** Groups skipped, counted from the first in `order`. */
  readonly offset: number;
  /** Most groups returned. */
  readonly limit: number;
  /** `desc`: groups counted from the last (bucket, key) down. Default `asc`. */
  readonly order?: 'asc' | 'desc';
}

/** What {@link RollupStore.readRollupPage} returns. */
export interface RollupPage {
  /** The stored values of the page's groups, ordered by bucket, key, field (ascending, whatever the `order`). */
  readonly rows: readonly RollupRow[];
  /** How many (bucket, key) groups the whole range holds. */
  readonly groups: number;
}

/** One bucket of {@link RollupStore.countSeries}. */
export interface SeriesCount {
  /** Bucket start (ms). */
  readonly bucket: number;
  readonly count: number;
}

/**
 * What the metrics need from an archive: rollup tables in the same backend as the messages, updated together with
 * each plugin's change-feed position, and counts per time bucket over any query.
 * Every method rejects with `StoreError` when the store fails, `QueryError` for a bad argument.
 */
export interface RollupStore {
  /** Each plugin's saved change-feed position (plugins never advanced are absent). */
  rollupPositions(): Promise<Readonly<Record<string, RollupPosition>>>;
  /**
   * In one transaction: checks every advance's `from` against the saved position (compare-and-set), and only if all
   * match, adds `cells` and saves each `to`. Resolves `true` when written, `false` when another writer moved a
   * position first (then nothing was written: read the positions again and redo the batch).
   */
  applyRollups(cells: readonly RollupCell[], advances: readonly RollupAdvance[]): Promise<boolean>;
  /** The stored values of one plugin and interval in a range, ordered by bucket, key, field. */
  readRollups(range: RollupRange): Promise<readonly RollupRow[]>;
  /**
   * One page of {@link RollupStore.readRollups}, cut by (bucket, key) group (a row of `/stats/<plugin>`), so a reader
   * need not fetch the whole range to serve a page of it.
   */
  readRollupPage(range: RollupPageRange): Promise<RollupPage>;
  /** Sums `field` per key over the range, largest first, at most `limit` keys. */
  topRollups(range: RollupRange & { readonly field: string; readonly limit: number }): Promise<readonly { key: string; value: number }[]>;
  /** Deletes a plugin's buckets of `interval` before `before` (ms); resolves with how many values went. */
  pruneRollups(plugin: string, interval: string, before: number): Promise<number>;
  /**
   * Starts a plugin again, in one transaction: deletes its buckets from `since` on (all when absent) and its saved
   * position; with `since`, records what is kept ({@link RollupPosition.skipBefore}) so a catch-up does not count it twice.
   */
  resetRollups(plugin: string, since?: number): Promise<void>;
  /**
   * Optional. A rebuild from the start calls it with `true` before its resets and with `false` once caught up (or
   * failed): meanwhile the store may set aside what only speeds up reads of the rollups (a secondary index), cheaper
   * to build again once than to keep up cell by cell. Reads stay exact meanwhile, only slower. A store that sets
   * something aside restores it when opened again, should the process end in between.
   */
  rebuildingRollups?(active: boolean): Promise<void>;
  /**
   * Messages matching `query` per bucket of `intervalMs` (UTC, aligned to the epoch), in one pass; buckets without a
   * message are absent. Ascending by bucket.
   */
  countSeries(query: MessageQuery, intervalMs: number): Promise<readonly SeriesCount[]>;
  /** Bytes the archive takes on disk (files, or collection storage), as well as the backend can tell. */
  storageBytes(): Promise<number>;
}

/** A store that also keeps rollups. */
export type RollupMessageStore = MessageStore & RollupStore;

/** Whether `store` keeps rollups (both built-in stores do). */
export function hasRollups(store: MessageStore): store is RollupMessageStore {
  const candidate = store as Partial<RollupStore>;
  return typeof candidate.applyRollups === 'function' && typeof candidate.countSeries === 'function';
}
