/** A `[time ms, MiB]` sample of a process's memory. */
export type MemorySample = readonly [number, number];

/**
 * The least-squares slope of `[time ms, MiB]` samples, in MiB per minute; NaN with fewer than two samples that
 * are numbers.
 */
export function rssSlopeMiBPerMinute(samples: readonly MemorySample[]): number {
  const points = samples.filter(([t, mib]) => Number.isFinite(t) && Number.isFinite(mib));
  if (points.length < 2) return Number.NaN;
  const meanT = points.reduce((sum, [t]) => sum + t, 0) / points.length;
  const meanR = points.reduce((sum, [, mib]) => sum + mib, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [t, mib] of points) {
    covariance += (t - meanT) * (mib - meanR);
    variance += (t - meanT) ** 2;
  }
  return variance === 0 ? Number.NaN : (covariance / variance) * 60_000;
}

/**
 * The least-squares slope (MiB per minute) of the floor of the samples: the lowest sample of each `bucketMs`
 * (counted from the first sample), placed at that sample's time. Resident memory rises when the collector or the
 * allocator holds on to freed memory for a while and falls when it gives it back, by tens of MiB under a steady
 * load; a leak raises what it falls back to. NaN with fewer than two buckets.
 */
export function floorSlopeMiBPerMinute(samples: readonly MemorySample[], bucketMs: number): number {
  const points = samples.filter(([t, mib]) => Number.isFinite(t) && Number.isFinite(mib));
  const first = points[0]?.[0] ?? 0;
  const floors = new Map<number, MemorySample>();
  for (const point of points) {
    const bucket = Math.floor((point[0] - first) / bucketMs);
    const floor = floors.get(bucket);
    if (floor === undefined || point[1] < floor[1]) floors.set(bucket, point);
  }
  return rssSlopeMiBPerMinute([...floors.values()]);
}
