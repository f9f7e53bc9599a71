/** What one shape measured over HTTP in one run (ms). */
export interface ShapeFigures {
  readonly size: number;
  readonly workers: number;
  readonly cacheEntries: number;
  readonly shape: string;
  /** The first request of the shape's filter set to the fresh server (no total or page anchor kept yet). */
  readonly firstAsk: number;
  /** p99 of requests sent one at a time. */
  readonly sequentialP99: number;
  /** p99 under the load run's connections; undefined when the load run was skipped. */
  readonly loadP99: number | undefined;
}

/** Issue 18's goal 4, as limits (ms): p99 under load, `contains` under load, one request at a time, growth from the smallest size to the largest. */
export const QUERY_GOALS = { loadP99: 50, containsLoadP99: 100, sequentialP99: 10, growth: 2 } as const;

const listed = (items: readonly string[]): string => (items.length === 0 ? 'none' : items.join('; '));
const ms = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/**
 * The goal's verdict on the runs without the answer cache: at the largest size, the shapes whose p99 under load
 * or one at a time (the first ask counted as one of them) is over its limit; and, when two sizes were measured,
 * the shapes whose p99 grew more than the allowed factor from the smallest to the largest.
 */
export function queryVerdict(figures: readonly ShapeFigures[], connections: number): string[] {
  const uncached = figures.filter((figure) => figure.cacheEntries === 0);
  if (uncached.length === 0) return [];
  const sizes = [...new Set(uncached.map((figure) => figure.size))].sort((a, b) => a - b);
  const smallest = sizes[0] ?? 0;
  const largest = sizes[sizes.length - 1] ?? 0;
  const notes: string[] = [];
  for (const workers of [...new Set(uncached.map((figure) => figure.workers))]) {
    const at = (size: number): ShapeFigures[] => uncached.filter((figure) => figure.size === size && figure.workers === workers);
    const top = at(largest);
    const loadOver = top.filter((figure) => figure.loadP99 === undefined || figure.loadP99 > (figure.shape.includes('contains') ? QUERY_GOALS.containsLoadP99 : QUERY_GOALS.loadP99));
    // A deep page's first ask (no page anchor yet) counts as one of its requests; other first asks count a
    // filter set's total once, which the store then keeps: they are listed apart.
    const alone = (figure: ShapeFigures): number => (figure.shape.includes('deep') ? Math.max(figure.firstAsk, figure.sequentialP99) : figure.sequentialP99);
    const slowFirst = top.filter((figure) => !figure.shape.includes('deep') && figure.firstAsk > QUERY_GOALS.sequentialP99);
    const aloneOver = top.filter((figure) => alone(figure) > QUERY_GOALS.sequentialP99);
    const where = `${largest.toLocaleString('en')} messages, ${workers} worker(s), no answer cache`;
    notes.push(
      `${where}, ${connections} connections: p99 ≤ ${QUERY_GOALS.loadP99} ms (contains ≤ ${QUERY_GOALS.containsLoadP99} ms) for ${top.length - loadOver.length} of ${top.length} shapes; over: ${listed(loadOver.map((figure) => `${figure.shape} ${figure.loadP99 === undefined ? 'not load-tested' : ms(figure.loadP99)}`))}.`,
      `${where}, one request at a time (a deep page's first ask included): p99 ≤ ${QUERY_GOALS.sequentialP99} ms for ${top.length - aloneOver.length} of ${top.length} shapes; over: ${listed(aloneOver.map((figure) => `${figure.shape} ${ms(alone(figure))}`))}.`,
      `${where}: first asks over ${QUERY_GOALS.sequentialP99} ms (the filter set's total counted, then kept): ${listed(slowFirst.map((figure) => `${figure.shape} ${ms(figure.firstAsk)}`))}.`,
    );
    if (smallest !== largest) {
      const before = new Map(at(smallest).map((figure) => [figure.shape, figure]));
      const grew: string[] = [];
      for (const figure of top) {
        const small = before.get(figure.shape);
        if (small === undefined) continue;
        const pairs: [string, number | undefined, number | undefined][] = [
          ['under load', small.loadP99, figure.loadP99],
          ['one at a time', small.sequentialP99, figure.sequentialP99],
        ];
        for (const [how, was, now] of pairs) {
          if (was !== undefined && now !== undefined && now > QUERY_GOALS.growth * was) grew.push(`${figure.shape} ${how} ${ms(was)} → ${ms(now)}`);
        }
      }
      notes.push(`${smallest.toLocaleString('en')} → ${largest.toLocaleString('en')} messages, ${workers} worker(s): p99 grew more than ${QUERY_GOALS.growth}× for ${listed(grew)}.`);
    }
  }
  return notes;
}
