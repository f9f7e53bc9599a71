import { BENCH_MODES, type BenchMode } from './bench-options.js';

/** The largest message a statbus transport takes by default (the codec's limit). */
export const MAX_BENCH_SIZE = 1024 * 1024 - 4096;

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

function list(value: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new RangeError(`${JSON.stringify(value)} has an empty item; give a comma-separated list`);
  return items;
}

/**
 * Parsers of `statbus bench` flag values. Each throws a `RangeError` saying what was expected; the CLI
 * reports it with the flag's name.
 */
export const benchFlags = {
  /** A whole number ≥ `min`. */
  count: (min = 1): ((value: string) => number) => {
    return (value) => {
      const number = Number(value.replace(/_/gu, ''));
      if (!/^\s*[\d_]+\s*$/u.test(value) || !Number.isSafeInteger(number) || number < min) throw new RangeError(`expected a whole number from ${min}, got ${JSON.stringify(value)}`);
      return number;
    };
  },

  /** A positive number (decimals allowed). */
  positive: (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new RangeError(`expected a positive number, got ${JSON.stringify(value)}`);
    return number;
  },

  /** Comma-separated positive rates (msg/s), e.g. `1000,5000`; `k` multiplies by 1,000 (`5k`). */
  rates: (value: string): number[] => {
    return list(value).map((item) => {
      const match = /^(\d+(?:\.\d+)?)(k?)$/iu.exec(item);
      const rate = match === null ? Number.NaN : Number(match[1]) * (match[2] === '' ? 1 : 1000);
      if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`expected rates in messages a second like 1000,5k; got ${JSON.stringify(item)}`);
      return rate;
    });
  },

  /** Comma-separated message sizes: bytes, or with a unit (`256`, `1KiB`, `16k`, `1MiB`), from 16 B to just under 1 MiB. */
  sizes: (value: string): number[] => {
    return list(value).map((item) => {
      const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/iu.exec(item);
      const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x'];
      const size = match === null || unit === undefined ? Number.NaN : Math.round(Number(match[1]) * unit);
      if (!Number.isFinite(size) || size < 16 || size > MAX_BENCH_SIZE) throw new RangeError(`expected sizes from 16 B to ${MAX_BENCH_SIZE} B like 256,1KiB,16k; got ${JSON.stringify(item)}`);
      return size;
    });
  },

  /** Comma-separated topic counts from 1 to 64, e.g. `8,1`. */
  topics: (value: string): number[] => {
    return list(value).map((item) => {
      const count = Number(item);
      if (!/^\d+$/u.test(item) || count < 1 || count > 64) throw new RangeError(`expected topic counts from 1 to 64 like 8,1; got ${JSON.stringify(item)}`);
      return count;
    });
  },

  /** Comma-separated modes: `transport`, `pipeline`, or `all`. */
  modes: (value: string): BenchMode[] => {
    const modes = new Set<BenchMode>();
    for (const item of list(value).map((entry) => entry.toLowerCase())) {
      if (item === 'all') BENCH_MODES.forEach((mode) => modes.add(mode));
      else if ((BENCH_MODES as readonly string[]).includes(item)) modes.add(item as BenchMode);
      else throw new RangeError(`expected ${[...BENCH_MODES, 'all'].join(', ')}; got ${JSON.stringify(item)}`);
    }
    return BENCH_MODES.filter((mode) => modes.has(mode));
  },

  /** Comma-separated texts. */
  texts: (value: string): string[] => list(value),
};
