import { describe, expect, it } from 'vitest';

// The page's modules are plain browser JavaScript (no build step): imported here by URL, typed by what the
// tests use. Their pure functions need nothing of the browser.
interface Interval {
  readonly text: string;
  readonly seconds: number;
}
interface ApiModule {
  readonly RANGES: readonly { readonly id: string; readonly seconds: number }[];
  readonly DEFAULT_INTERVALS: readonly string[];
  readonly MAX_CHART_POINTS: number;
  readonly FILTER_KEYS: readonly string[];
  intervalSeconds(text: string): number | undefined;
  chooseInterval(intervals: readonly string[], rangeSeconds: number, maxPoints: number): Interval;
  windowOf(rangeSeconds: number, intervalSeconds: number, nowSeconds: number): { start: number; end: number };
  parseFilter(text: string): URLSearchParams;
  formatMs(ms: number | null): string;
}
interface PanelsModule {
  commonPrefix(keys: readonly string[]): string;
  sumByKey(rows: readonly Record<string, unknown>[], field: string): { key: string; value: number }[];
}
interface ChartsModule {
  stack(columns: readonly (readonly number[])[]): { sums: number[][]; bands: { series: [number, number] }[] };
}

const load = async <T>(file: string): Promise<T> => (await import(new URL(`./assets/${file}`, import.meta.url).href)) as T;
const api = await load<ApiModule>('api.js');
const panels = await load<PanelsModule>('panels.js');
const charts = await load<ChartsModule>('charts.js');

describe('the dashboard’s time ranges', () => {
  it('should draw each range at the finest interval the plugins keep under the point limit', () => {
    const chosen = Object.fromEntries(api.RANGES.map((range) => [range.id, api.chooseInterval(api.DEFAULT_INTERVALS, range.seconds, api.MAX_CHART_POINTS).text]));
    expect(chosen).toEqual({ '1h': '1m', '6h': '1m', '24h': '1m', '7d': '1h', '30d': '1h' });
    expect(api.chooseInterval(['1d', '5m', '1h'], 7 * 86_400, 400).text).toBe('1h');
    expect(api.chooseInterval(['1m'], 30 * 86_400, 400).text).toBe('1m');
    expect(api.chooseInterval(['bogus'], 3600, 400)).toEqual({ text: '1h', seconds: 3600 });
    expect([api.intervalSeconds('5m'), api.intervalSeconds('2d'), api.intervalSeconds('1y')]).toEqual([300, 172_800, undefined]);
  });

  it('should cover the range up to now on bucket boundaries, the current bucket included', () => {
    const now = 1_700_000_123;
    const { start, end } = api.windowOf(3600, 60, now);
    expect(start % 60).toBe(0);
    expect(end % 60).toBe(0);
    expect(start).toBeLessThanOrEqual(now - 3600);
    expect(end).toBeGreaterThan(now);
    expect(api.windowOf(3600, 60, 1_700_000_040).end).toBe(1_700_000_100);
  });
});

describe('the filter box', () => {
  it('should take /raw’s filters, repeated keys included', () => {
    const params = api.parseFilter('?category=bodhi&user=ralph&user=adamw&not_topic=org.x.%23');
    expect([...params]).toEqual([['category', 'bodhi'], ['user', 'ralph'], ['user', 'adamw'], ['not_topic', 'org.x.#']]);
    expect(String(api.parseFilter('  '))).toBe('');
    expect(api.FILTER_KEYS).toContain('not_contains');
  });

  it('should refuse an unknown key or an empty value, naming it', () => {
    expect(() => api.parseFilter('colour=blue')).toThrow(/“colour” is not a filter/u);
    expect(() => api.parseFilter('rows_per_page=5')).toThrow(/“rows_per_page”/u);
    expect(() => api.parseFilter('user=')).toThrow(/“user” needs a value/u);
  });
});

describe('the charts and panels', () => {
  it('should stack columns bottom first, each band filling down to the series below', () => {
    const { sums, bands } = charts.stack([[1, 2], [3, 0], [5, 1]]);
    expect(sums).toEqual([[1, 2], [4, 2], [9, 3]]);
    expect(bands).toEqual([{ series: [2, 1] }, { series: [3, 2] }]);
  });

  it('should say the dotted words all topics share once', () => {
    expect(panels.commonPrefix(['org.fp.prod.bodhi.update', 'org.fp.prod.koji.tag'])).toBe('org.fp.prod.');
    expect(panels.commonPrefix(['org.fp.prod.koji.tag', 'org.fp.prod.koji.tag.x'])).toBe('org.fp.prod.koji.');
    expect(panels.commonPrefix(['a.b'])).toBe('');
    expect(panels.commonPrefix(['a.b', 'c.d'])).toBe('');
  });

  it('should total a plugin’s rows per key, largest first, leaving out zeros', () => {
    const rows = [{ time: 0, key: 'p1', lost: 2 }, { time: 60, key: 'p2', lost: 5 }, { time: 60, key: 'p1', lost: 1 }, { time: 120, key: 'p3', lost: 0 }];
    expect(panels.sumByKey(rows, 'lost')).toEqual([{ key: 'p2', value: 5 }, { key: 'p1', value: 3 }]);
  });

  it('should print delays in the unit that reads best', () => {
    expect([api.formatMs(0.5), api.formatMs(42.4), api.formatMs(1500), api.formatMs(12_000), api.formatMs(null)]).toEqual(['0.50 ms', '42 ms', '1.50 s', '12.0 s', '–']);
  });
});
