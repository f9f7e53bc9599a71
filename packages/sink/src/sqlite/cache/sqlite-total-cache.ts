import type { MessageQuery } from '@statbus/core';
import { containsCaseOf } from '../../query/message-text.js';
import { LIST_FILTERS, negated, valuesOf } from '../../query/query-filters.js';
import { SQLITE_TUNING_DEFAULTS } from '../sqlite-tuning.js';

/** A total and the last row key `n` it covers: the exact number of matches among rows `1..upTo`. */
interface CountedTotal {
  readonly total: number;
  readonly upTo: number;
}

/**
 * Exact totals of filter sets, kept per store instance and brought up to date instead of counted again.
 * The archive only grows, at increasing row keys (SQLite's single writer gives each new row a key above every
 * committed one), so the total of a filter set in a newer snapshot is the old total plus the matches among the
 * rows archived since. A datagrepper client paging through one filter set, or many clients asking the same
 * question of a live archive, pay for the full count once. The least recently used filter set goes first.
 */
export class SqliteTotalCache {
  readonly #entries = new Map<string, CountedTotal>();

  /** @param capacity filter sets kept; 0 keeps none. */
  constructor(private readonly capacity = SQLITE_TUNING_DEFAULTS.totalCacheEntries) {}

  /** Forgets every total: after rows were removed or changed, none can be brought up to date by adding. */
  clear(): void {
    this.#entries.clear();
  }

  /**
   * The exact total of `key`'s filter set in a snapshot whose newest row is `head`, when one was counted for
   * this or an older snapshot: `countAfter(upTo)` counts the matches among the rows `(upTo, head]` (undefined
   * when they are too many to check). Call it in the read transaction that
   * read `head`. Undefined otherwise.
   */
  upToDate(key: string, head: number, countAfter: (after: number) => number | undefined): number | undefined {
    const known = this.#entries.get(key);
    if (known === undefined || known.upTo > head) return undefined;
    const added = known.upTo === head ? 0 : countAfter(known.upTo);
    if (added === undefined) return undefined;
    this.record(key, head, known.total + added);
    return known.total + added;
  }

  /** Keeps `total` as the exact count of `key`'s matches among the rows up to `head`. */
  record(key: string, head: number, total: number): void {
    if (this.capacity === 0) return;
    // Only ever move forward: a reader on an older snapshot must not replace a newer total.
    const known = this.#entries.get(key);
    if (known !== undefined && known.upTo > head) return;
    this.#entries.delete(key);
    this.#entries.set(key, { total, upTo: head });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

/**
 * The key of a query's filter set in its resolved time window: what its total depends on (not its order, page,
 * page size or cursor), `containsCase` included when it applies. A filter's values are OR-ed, so they are sorted: their order does not change the set.
 */
export function totalKey(query: MessageQuery, window: { start?: number; end?: number }): string {
  const filters: [string, string[]][] = [];
  for (const filter of LIST_FILTERS) {
    for (const name of [filter, negated(filter)]) {
      const values = valuesOf(query, name);
      if (values !== undefined) filters.push([name, [...values].sort()]);
    }
  }
  // The same needles select other rows with other case rules.
  if (valuesOf(query, 'contains') !== undefined || valuesOf(query, 'notContains') !== undefined) filters.push(['containsCase', [containsCaseOf(query)]]);
  return JSON.stringify([window.start ?? null, window.end ?? null, filters]);
}
