/**
 * The least-squares slope of `[time ms, RSS MiB]` samples, in MiB per minute; NaN with fewer than two
 * samples that are numbers.
 */
export function rssSlopeMiBPerMinute(samples: readonly (readonly [number, number])[]): number {
  const points = samples.filter(([t, rss]) => Number.isFinite(t) && Number.isFinite(rss));
  if (points.length < 2) return Number.NaN;
  const meanT = points.reduce((sum, [t]) => sum + t, 0) / points.length;
  const meanR = points.reduce((sum, [, rss]) => sum + rss, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [t, rss] of points) {
    covariance += (t - meanT) * (rss - meanR);
    variance += (t - meanT) ** 2;
  }
  return variance === 0 ? Number.NaN : (covariance / variance) * 60_000;
}
