/** Percentiles of latency samples (ms). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** The value at quantile `q` (0..1) of ascending `sorted` (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Summarises latency samples in milliseconds. */
export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** The percentiles the HTML report's latency curves are drawn through. */
export const CURVE_PERCENTILES: readonly number[] = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

/** Percentiles of latency samples (ms) with the curve `[percentile, ms]` drawn in reports. */
export function latencyFigures(samples: readonly number[]): LatencySummary & { curve: [number, number][] } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    ...summarise(sorted),
    curve: sorted.length === 0 ? [] : CURVE_PERCENTILES.map((percentile) => [percentile, percentile === 0 ? (sorted[0] as number) : quantile(sorted, percentile / 100)]),
  };
}

/** The median of `values` (the lower middle one for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}
