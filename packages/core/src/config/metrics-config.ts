import { z } from 'zod';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 } as const;
const DURATION = /^([1-9]\d{0,5})(s|m|h|d|w|y)$/u;
const INTERVAL = /^([1-9]\d{0,3})(m|h|d)$/u;

/**
 * Milliseconds of a duration such as `90s`, `15m`, `6h`, `7d`, `2w`, `10y` (a year is 365 days), or `undefined`
 * when the text is not one.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Milliseconds of a metrics interval (`1m`, `5m`, `1h`, `6h`, `1d`…: minutes, hours or days), or `undefined`. */
export function parseIntervalMs(text: string): number | undefined {
  const match = INTERVAL.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  // Buckets are aligned to the epoch: a length that does not divide a day would drift against the calendar.
  return ms <= UNIT_MS.d ? (UNIT_MS.d % ms === 0 ? ms : undefined) : ms;
}

/** Defaults of the `[metrics]` section. */
export const METRICS_DEFAULTS = {
  enabled: true,
  intervals: ['1m', '1h', '1d'],
  retention: { '1m': '7d', '1h': '1y', '1d': '10y' } as Record<string, string>,
  poll_interval_ms: 250,
  batch_size: 5000,
  prune_interval_ms: 600_000,
} as const;

const interval = z.string().refine((value) => parseIntervalMs(value) !== undefined, 'must be an interval such as 1m, 5m, 1h, 6h, 1d (a whole number of minutes, hours or days dividing a day, or whole days)');
const duration = z.string().refine((value) => parseDurationMs(value) !== undefined, 'must be a duration such as 30m, 12h, 7d, 2w, 10y');

/**
 * `[metrics]`: live metrics kept as rollups in the archive (`@statbus/metrics`).
 *
 * - `enabled`: follow the archive and serve the metrics (default true).
 * - `intervals`: bucket lengths kept by every plugin that does not name its own (default 1m, 1h, 1d).
 * - `plugins`: more plugins, as `MODULE:EXPORT` (a path relative to the working directory, or a package).
 * - `disabled`: built-in plugins not to run, by name.
 * - `poll_interval_ms`: how often the archive's change feed is read for messages written by another process.
 * - `batch_size`: most messages taken from the change feed into one rollup transaction.
 * - `prune_interval_ms`: how often buckets past their retention are deleted.
 * - `[metrics.retention]`: how long each interval's buckets are kept, e.g. `"1m" = "7d"`.
 */
export const metricsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(METRICS_DEFAULTS.enabled),
    intervals: z.array(interval).min(1).default([...METRICS_DEFAULTS.intervals]),
    plugins: z.array(z.string().regex(/^.+:[^:]+$/u, 'must be MODULE:EXPORT, e.g. ./my-plugin.js:myPlugin')).default([]),
    disabled: z.array(z.string().min(1)).default([]),
    poll_interval_ms: z.number().int().min(10).max(60_000).default(METRICS_DEFAULTS.poll_interval_ms),
    batch_size: z.number().int().min(1).max(100_000).default(METRICS_DEFAULTS.batch_size),
    prune_interval_ms: z.number().int().min(1000).default(METRICS_DEFAULTS.prune_interval_ms),
    retention: z.record(interval, duration).default({ ...METRICS_DEFAULTS.retention }),
  })
  .prefault({});

/** The validated `[metrics]` section. */
export type MetricsConfig = z.output<typeof metricsConfigSchema>;
