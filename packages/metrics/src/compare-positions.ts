/** Compares two change-feed positions: numerically when both are numbers (both built-in stores), else as text. */
export function comparePositions(a: string, b: string): number {
  if (/^\d+$/u.test(a) && /^\d+$/u.test(b)) return a.length === b.length ? (a < b ? -1 : a > b ? 1 : 0) : a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
