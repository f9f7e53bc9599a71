// How the dashboard talks to the query API: time ranges and intervals, the filter box, JSON requests.
/* global fetch, URLSearchParams */

/** The time-range picker's choices. */
export const RANGES = [
  { id: '1h', seconds: 3600, label: 'last hour' },
  { id: '6h', seconds: 6 * 3600, label: 'last 6 hours' },
  { id: '24h', seconds: 24 * 3600, label: 'last 24 hours' },
  { id: '7d', seconds: 7 * 86400, label: 'last 7 days' },
  { id: '30d', seconds: 30 * 86400, label: 'last 30 days' },
];

/** Used when the server lists no metrics plugins (what the engine keeps by default). */
export const DEFAULT_INTERVALS = ['1m', '1h', '1d'];

/** The most points a rate chart asks for; the finest interval under it is chosen. */
export const MAX_CHART_POINTS = 1500;
/** The most buckets a paged `/stats/<plugin>` read asks for (bus health). */
export const MAX_STATS_POINTS = 400;
/** Pages of `/stats/<plugin>` read at most for one panel. */
export const MAX_PAGES = 20;
/** Rows per page asked of `/stats/<plugin>`. */
export const ROWS_PER_PAGE = 1000;

/** `/raw`'s filter parameters: what the filter box accepts. */
export const FILTER_KEYS = ['topic', 'category', 'user', 'package', 'agent', 'contains'].flatMap((key) => [key, `not_${key}`]);

const UNITS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `"5m"` → 300; undefined for what is not an interval. */
export function intervalSeconds(text) {
  const match = /^(\d+)([smhdw])$/u.exec(String(text));
  return match === null ? undefined : Number(match[1]) * UNITS[match[2]];
}

/** The finest of `intervals` that draws `rangeSeconds` in at most `maxPoints` buckets (else the coarsest). */
export function chooseInterval(intervals, rangeSeconds, maxPoints) {
  const known = intervals
    .map((text) => ({ text, seconds: intervalSeconds(text) }))
    .filter((interval) => interval.seconds !== undefined)
    .sort((a, b) => a.seconds - b.seconds);
  if (known.length === 0) return { text: '1h', seconds: 3600 };
  return known.find((interval) => rangeSeconds / interval.seconds <= maxPoints) ?? known[known.length - 1];
}

/** `[start, end)` in epoch seconds covering the last `rangeSeconds` up to now, on bucket boundaries. */
export function windowOf(rangeSeconds, intervalSecondsValue, nowSeconds) {
  const end = Math.ceil((nowSeconds + 1) / intervalSecondsValue) * intervalSecondsValue;
  const start = Math.floor((nowSeconds - rangeSeconds) / intervalSecondsValue) * intervalSecondsValue;
  return { start, end };
}

/** What the filter box says was wrong. */
export class FilterError extends Error {}

/**
 * Reads the filter box: `/raw`'s query string (`category=bodhi&user=ralph`, a leading `?` allowed).
 * Throws {@link FilterError} naming an unknown key or an empty value.
 */
export function parseFilter(text) {
  const params = new URLSearchParams(text.trim().replace(/^\?/u, ''));
  for (const [key, value] of params) {
    if (!FILTER_KEYS.includes(key)) throw new FilterError(`“${key}” is not a filter; use ${FILTER_KEYS.join(', ')}`);
    if (value.trim() === '') throw new FilterError(`“${key}” needs a value (${key}=…)`);
  }
  return params;
}

/** An answer other than 2xx, with the API's `{error, parameter, message}` when it sent one. */
export class ApiError extends Error {
  constructor(status, body, url) {
    super(body?.message ?? `${url} answered ${status}`);
    this.status = status;
    this.body = body;
    this.url = url;
  }
}

/** GETs `path?params` as JSON; rejects with {@link ApiError} on a non-2xx answer. */
export async function getJson(path, params, signal) {
  const query = params === undefined ? '' : String(params);
  const url = query === '' ? path : `${path}?${query}`;
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, body, url);
  return body;
}

/**
 * Every row of `/stats/<plugin>` for a window (pages read in parallel after the first), at most
 * {@link MAX_PAGES} pages: `{ rows, complete }`.
 */
export async function statsRows(plugin, params, signal) {
  const base = new URLSearchParams(params);
  base.set('rows_per_page', String(ROWS_PER_PAGE));
  base.set('order', 'asc');
  const path = `/stats/${encodeURIComponent(plugin)}`;
  const first = await getJson(path, base, signal);
  const pages = Math.min(first.pages ?? 1, MAX_PAGES);
  const rest = await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, index) => {
      const next = new URLSearchParams(base);
      next.set('page', String(index + 2));
      return getJson(path, next, signal);
    }),
  );
  return { rows: [first, ...rest].flatMap((page) => page.rows ?? []), complete: (first.pages ?? 1) <= MAX_PAGES };
}

/** `/series?<filter>` over a window: `{ times, counts, source }`. */
export async function series(filter, interval, span, signal) {
  const params = new URLSearchParams(filter);
  params.set('interval', interval);
  params.set('start', String(span.start));
  params.set('end', String(span.end));
  const body = await getJson('/series', params, signal);
  const points = body.points ?? [];
  return { times: points.map((point) => point.time), counts: points.map((point) => point.count), source: body.source };
}

/** Whole numbers as people read them (`12,345`). */
export const formatCount = (value) => new Intl.NumberFormat('en').format(Math.round(value));

/** Large numbers short, for axes (`12k`). */
export const formatCompact = (value) => new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(value);

/** A delay in milliseconds, in the unit that reads best. */
export function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
