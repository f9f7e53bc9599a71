import type { StoredValue } from './metrics-plugin.js';

/**
 * Upper bounds (ms) of the publish→archive delay histogram's buckets; a last bucket holds the rest. Fixed, so that
 * the counts of several archivers and intervals add up.
 */
export const DELAY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000] as const;

/** The stored field of the histogram bucket a delay falls in (`le_<bound>`, or `le_inf`). */
export function delayField(delayMs: number): string {
  for (const bound of DELAY_BOUNDS_MS) if (delayMs <= bound) return `le_${bound}`;
  return 'le_inf';
}

/** Every bucket's field, in order. */
export const DELAY_FIELDS: readonly string[] = [...DELAY_BOUNDS_MS.map((bound) => `le_${bound}`), 'le_inf'];

/**
 * The `q` quantile (0..1) of the stored histogram, interpolated linearly inside its bucket (the last bucket,
 * unbounded, answers its lower bound). `null` when nothing was counted.
 */
export function delayQuantile(stored: Readonly<Record<string, StoredValue>>, q: number): number | null {
  const counts = DELAY_FIELDS.map((field) => stored[field]?.value ?? 0);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let index = 0; index < counts.length; index += 1) {
    const count = counts[index] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = index === 0 ? 0 : (DELAY_BOUNDS_MS[index - 1] ?? 0);
      const upper = DELAY_BOUNDS_MS[index];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return DELAY_BOUNDS_MS[DELAY_BOUNDS_MS.length - 1] ?? null;
}
