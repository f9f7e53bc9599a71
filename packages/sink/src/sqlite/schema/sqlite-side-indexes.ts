import { placeholders } from './sql-fragment.js';

/** A filter served by a side table `(value, time, n)` that is filled after the commit. */
export interface SqliteSideIndex {
  /** The `MessageQuery` filter it serves. */
  readonly filter: 'users' | 'packages' | 'agents';
  readonly table: string;
  readonly column: string;
  /** Fills the table from the messages with `n` in `(?, ?]`, in key order (one write per touched page). */
  readonly fillSql: string;
  /**
   * The same test on a row of `messages` (alias `t` unless `alias` says otherwise) that is not yet in the table:
   * true when it has one of `count` values. Its parameters are the values.
   */
  readonly tailCheck: (count: number, alias?: string) => string;
}

/**
 * The side index of a JSON array column of `messages` (`users`, `packages`): one row per element, and for rows
 * not yet in it, `json_each` over the column (exact, whatever the escaping).
 */
function jsonArraySideIndex(filter: 'users' | 'packages', table: string, column: string): SqliteSideIndex {
  return {
    filter,
    table,
    column,
    fillSql: `INSERT OR IGNORE INTO ${table} (${column}, time, n) SELECT j.value, t.time, t.n FROM messages t, json_each(t.${filter}) j
      WHERE t.n > ? AND t.n <= ? ORDER BY 1, 2, 3`,
    tailCheck: (count, alias = 't') => `EXISTS (SELECT 1 FROM json_each(${alias}.${filter}) WHERE value IN (${placeholders(count)}))`,
  };
}

/** The side tables, filled in this order by the deferred indexer up to the `side_indexed` counter. */
export const SQLITE_SIDE_INDEXES: readonly SqliteSideIndex[] = [
  jsonArraySideIndex('users', 'message_users', 'user'),
  jsonArraySideIndex('packages', 'message_packages', 'package'),
  {
    filter: 'agents',
    table: 'message_agents',
    column: 'agent',
    fillSql: `INSERT OR IGNORE INTO message_agents (agent, time, n) SELECT t.agent, t.time, t.n FROM messages t
      WHERE t.n > ? AND t.n <= ? AND t.agent IS NOT NULL ORDER BY 1, 2, 3`,
    tailCheck: (count, alias = 't') => `${alias}.agent IN (${placeholders(count)})`,
  },
];

/**
 * Rows of `messages m` with one of `count` values of `index`: the side table up to `indexedUpTo`, the row's
 * own column past it. `bound` (a time the wanted rows cannot pass) narrows the side-table part. Parameters, in
 * order: the values, the bound if any, `indexedUpTo`, the values again.
 */
export function sideIndexMembership(index: SqliteSideIndex, count: number, bound?: { readonly descending: boolean }): string {
  const near = bound === undefined ? '' : ` AND time ${bound.descending ? '>=' : '<='} ?`;
  return `m.n IN (SELECT n FROM ${index.table} WHERE ${index.column} IN (${placeholders(count)})${near}
    UNION ALL SELECT t.n FROM messages t WHERE t.n > ? AND ${index.tailCheck(count)})`;
}
