import { placeholders, type SqlFragment } from '../schema/sql-fragment.js';
import type { CountPlan } from './query-plan.js';
import { buildWhere } from './sqlite-where.js';

/**
 * The statements whose single values add up to the exact total `plan` counts (each `SELECT` returns one number).
 */
export function countStatements(plan: Exclude<CountPlan, { kind: 'known' }>): SqlFragment[] {
  switch (plan.kind) {
    case 'summary': {
      const where = buildWhere(plan.filters);
      return [{ sql: `SELECT coalesce(sum(m.count), 0) FROM topic_summary m WHERE ${where.sql}`, params: where.params }];
    }
    case 'side-table': {
      // The table has a row per (value, message) for indexed messages: count its distinct messages, then the rest.
      const { index, values, window, indexedUpTo } = plan;
      const start = window.start ?? Number.MIN_SAFE_INTEGER;
      const end = window.end ?? Number.MAX_SAFE_INTEGER;
      return [
        {
          sql: `SELECT count(DISTINCT n) FROM ${index.table} WHERE ${index.column} IN (${placeholders(values.length)}) AND time >= ? AND time < ?`,
          params: [...values, start, end],
        },
        // `+t.time`: the rows past the counter are a rowid range; the time index would read the whole window.
        { sql: `SELECT count(*) FROM messages t WHERE t.n > ? AND +t.time >= ? AND +t.time < ? AND ${index.tailCheck(values.length)}`, params: [indexedUpTo, start, end, ...values] },
      ];
    }
    case 'rows': {
      const where = buildWhere(plan.filters);
      return [{ sql: `SELECT count(*) FROM messages m WHERE ${where.sql}`, params: where.params }];
    }
  }
}
