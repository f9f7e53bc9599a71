import { QueryError, queryWindow, type MessageQuery, type RollupMessageStore, type RollupRow } from '@statbus/core';
import type { CatalogEntry, KeptInterval, MetricsCatalog } from './metrics-catalog.js';
import { comparePositions } from './compare-positions.js';
import type { PresentedFields, StoredValue } from './metrics-plugin.js';

/** One row of `GET /stats/<plugin>`: a bucket (seconds since the epoch) and key with the plugin's fields. */
export type StatsRow = { time: number; key: string } & PresentedFields;

/** A page of a plugin's series. */
export interface StatsPage {
  readonly plugin: string;
  readonly interval: string;
  /** The window, seconds since the epoch (`null`: open). */
  readonly start: number | null;
  readonly end: number | null;
  readonly rows: readonly StatsRow[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
  readonly rows_per_page: number;
}

/** What {@link MetricsReader.stats} reads. */
export interface StatsRequest {
  readonly interval?: string;
  readonly start?: number;
  readonly end?: number;
  readonly keys?: readonly string[];
  readonly page?: number;
  readonly rowsPerPage?: number;
  readonly order?: 'asc' | 'desc';
}

/** One point of `/series`. */
export interface SeriesPoint {
  readonly time: number;
  readonly count: number;
}

/** The answer of `GET /series`. */
export interface SeriesAnswer {
  readonly interval: string;
  readonly start: number;
  readonly end: number;
  readonly source: 'rollups' | 'archive';
  readonly points: readonly SeriesPoint[];
}

/** Most buckets one `/series` answer may hold. */
export const MAX_SERIES_POINTS = 20_000;
/** Default window of `/series` when none is given (ms): the last day. */
export const DEFAULT_SERIES_WINDOW_MS = 86_400_000;
/** A plugin this many messages behind the archive's head is still catching up: `/series` reads the archive instead. */
export const MAX_ROLLUP_LAG = 20_000;

const FILTER_PLUGINS: Readonly<Record<string, string>> = {
  categories: 'volume-by-category',
  topics: 'volume-by-topic',
  users: 'volume-by-user',
  packages: 'volume-by-package',
  agents: 'volume-by-agent',
};
const SERIES_DEFAULT_INTERVAL = '1h';

/**
 * Reads the metrics for the query API: a plugin's rows by bucket and key, its top keys, and counts over time for any
 * message query — from the rollups when one covers the filter, otherwise from the archive in one pass.
 */
export class MetricsReader {
  constructor(
    private readonly store: RollupMessageStore,
    readonly catalog: MetricsCatalog,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A plugin's series, paged.
   *
   * @throws {PluginError} for an unknown plugin; {@link QueryError} naming `interval` when the plugin does not keep it.
   */
  async stats(name: string, request: StatsRequest): Promise<StatsPage> {
    const entry = this.catalog.get(name);
    const interval = this.interval(entry, request.interval);
    if (request.keys !== undefined && entry.plugin.key === null) throw new QueryError('key', `plugin ${name} has no key`);
    const rowsPerPage = request.rowsPerPage ?? 100;
    const page = request.page ?? 1;
    // Only the page's rows are read: the store counts and cuts the (bucket, key) groups.
    const { rows: stored, groups } = await this.store.readRollupPage({
      plugin: name,
      interval: interval.name,
      ...(request.start === undefined ? {} : { start: request.start - (request.start % interval.ms) }),
      ...(request.end === undefined ? {} : { end: request.end }),
      ...(request.keys === undefined ? {} : { keys: request.keys }),
      offset: (page - 1) * rowsPerPage,
      limit: rowsPerPage,
      order: request.order === 'desc' ? 'desc' : 'asc',
    });
    const rows = present(entry, stored);
    if (request.order === 'desc') rows.reverse();
    return {
      plugin: name,
      interval: interval.name,
      start: request.start === undefined ? null : request.start / 1000,
      end: request.end === undefined ? null : request.end / 1000,
      rows,
      total: groups,
      page,
      pages: Math.ceil(groups / rowsPerPage),
      rows_per_page: rowsPerPage,
    };
  }

  /**
   * A plugin's keys ranked by their sum over the window (of its `rankBy` field), from the coarsest interval whose
   * buckets the window's ends fall on (the finest otherwise).
   */
  async top(name: string, request: { start?: number; end?: number; limit: number }): Promise<{ key: string; count: number }[]> {
    const entry = this.catalog.get(name);
    if (entry.plugin.key === null) throw new QueryError('plugin', `plugin ${name} has no key to rank`);
    const field = entry.plugin.rankBy ?? (entry.plugin.fields.includes('count') ? 'count' : entry.plugin.fields[0] ?? 'count');
    const aligned = (ms: number): boolean => (request.start === undefined || request.start % ms === 0) && (request.end === undefined || request.end % ms === 0);
    const interval = [...entry.intervals].reverse().find((kept) => aligned(kept.ms)) ?? entry.intervals[0];
    if (interval === undefined) throw new QueryError('plugin', `plugin ${name} keeps no interval`);
    const start = request.start === undefined ? undefined : request.start - (request.start % interval.ms);
    const ranked = await this.store.topRollups({
      plugin: name,
      interval: interval.name,
      field: field === 'time' || field === 'id' ? 'latest' : field,
      limit: request.limit,
      ...(start === undefined ? {} : { start }),
      ...(request.end === undefined ? {} : { end: request.end }),
    });
    return ranked.map((row) => ({ key: row.key, count: row.value }));
  }

  /**
   * Messages matching `query` per bucket of `intervalName` over its window (default: the last day), every bucket
   * present. From the rollups when no filter, or one of category, topic (no wildcard), user, package or agent (one or
   * more values) selects them and its plugin is up to date and keeps the window; otherwise one pass over the archive.
   *
   * @throws {QueryError} naming `interval` (unknown, or too many buckets in the window).
   */
  async series(query: MessageQuery, intervalName: string = SERIES_DEFAULT_INTERVAL): Promise<SeriesAnswer> {
    const intervalMs = this.intervalMs(intervalName);
    const window = queryWindow(query, this.now());
    const end = window.end ?? this.now();
    const start = window.start ?? end - DEFAULT_SERIES_WINDOW_MS;
    const first = start - (start % intervalMs);
    if ((end - first) / intervalMs > MAX_SERIES_POINTS) {
      throw new QueryError('interval', `${intervalName} buckets over this window are more than ${MAX_SERIES_POINTS}; use a longer interval or a shorter window`);
    }
    const counts = new Map<number, number>();
    let source: 'rollups' | 'archive' = 'archive';
    const covered = await this.coveringPlugin(query, intervalName, first);
    if (covered !== undefined) {
      source = 'rollups';
      const rows = await this.store.readRollups({
        plugin: covered.plugin,
        interval: intervalName,
        start: first,
        end,
        fields: ['count'],
        ...(covered.keys === undefined ? {} : { keys: covered.keys }),
      });
      for (const row of rows) counts.set(row.bucket, (counts.get(row.bucket) ?? 0) + row.value);
    } else {
      const { start: _start, end: _end, delta: _delta, page: _page, rowsPerPage: _rows, order: _order, cursor: _cursor, ...filters } = query;
      for (const row of await this.store.countSeries({ ...filters, start: first, end }, intervalMs)) counts.set(row.bucket, row.count);
    }
    const points: SeriesPoint[] = [];
    for (let bucket = first; bucket < end; bucket += intervalMs) points.push({ time: bucket / 1000, count: counts.get(bucket) ?? 0 });
    return { interval: intervalName, start: first / 1000, end: end / 1000, source, points };
  }

  /** Checks an interval name for `/series` (any interval some plugin keeps, or any valid one for the archive). */
  private intervalMs(name: string): number {
    for (const entry of this.catalog.list()) {
      const kept = entry.intervals.find((interval) => interval.name === name);
      if (kept !== undefined) return kept.ms;
    }
    const match = /^([1-9]\d{0,3})(m|h|d)$/u.exec(name);
    const ms = match === null ? undefined : Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
    if (ms === undefined || (ms < 86_400_000 && 86_400_000 % ms !== 0)) throw new QueryError('interval', `not an interval: ${JSON.stringify(name.slice(0, 16))}; give one such as 1m, 1h, 1d`);
    return ms;
  }

  private interval(entry: CatalogEntry, name: string | undefined): KeptInterval {
    if (name === undefined) return entry.intervals.find((interval) => interval.name === '1h') ?? (entry.intervals[0] as KeptInterval);
    const kept = entry.intervals.find((interval) => interval.name === name);
    if (kept === undefined) throw new QueryError('interval', `plugin ${entry.plugin.name} keeps ${entry.intervals.map((i) => i.name).join(', ')}, not ${JSON.stringify(name.slice(0, 16))}`);
    return kept;
  }

  private async coveringPlugin(query: MessageQuery, intervalName: string, start: number): Promise<{ plugin: string; keys?: readonly string[] } | undefined> {
    const given = Object.entries(query).filter(([field, value]) => !['start', 'end', 'delta', 'page', 'rowsPerPage', 'order', 'cursor'].includes(field) && value !== undefined && !(Array.isArray(value) && value.length === 0));
    if (given.length > 1) return undefined;
    const [field, values] = given[0] ?? [undefined, undefined];
    const plugin = field === undefined ? 'volume' : FILTER_PLUGINS[field];
    if (plugin === undefined || !this.catalog.has(plugin)) return undefined;
    const keys = values as readonly string[] | undefined;
    if (field === 'topics' && keys?.some((topic) => topic.includes('*') || topic.includes('#'))) return undefined;
    const kept = this.catalog.get(plugin).intervals.find((interval) => interval.name === intervalName);
    if (kept === undefined) return undefined;
    if (kept.retentionMs !== undefined && start < this.now() - kept.retentionMs) return undefined;
    const position = (await this.store.rollupPositions())[plugin];
    if (position === undefined || position.skipUntil !== undefined) return undefined;
    const head = await this.store.changesHead();
    if (/^\d+$/u.test(head) && /^\d+$/u.test(position.position) && Number(head) - Number(position.position) > MAX_ROLLUP_LAG) return undefined;
    if (!/^\d+$/u.test(head) && comparePositions(position.position, head) < 0) return undefined;
    return keys === undefined ? { plugin } : { plugin, keys };
  }
}

/** Groups stored values by bucket and key and presents them as the plugin's rows. */
function present(entry: CatalogEntry, stored: readonly RollupRow[]): StatsRow[] {
  const rows: StatsRow[] = [];
  let current: { bucket: number; key: string; values: Record<string, StoredValue> } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const fields = entry.plugin.present?.(current.values) ?? Object.fromEntries(entry.plugin.fields.map((field) => [field, current?.values[field]?.value ?? 0]));
    rows.push({ time: current.bucket / 1000, key: current.key, ...fields });
  };
  // Stored rows come ordered by bucket, key, field: a row ends where the bucket or key changes.
  for (const row of stored) {
    if (current === undefined || current.bucket !== row.bucket || current.key !== row.key) {
      flush();
      current = { bucket: row.bucket, key: row.key, values: {} };
    }
    current.values[row.field] = row.text === undefined ? { value: row.value } : { value: row.value, text: row.text };
  }
  flush();
  return rows;
}
