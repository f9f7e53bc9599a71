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
      const { index, values, narrow, window, indexedUpTo } = plan;
      const start = window.start ?? Number.MIN_SAFE_INTEGER;
      const end = window.end ?? Number.MAX_SAFE_INTEGER;
      // With one value, a message has at most one row: no need to make them distinct.
      const counted = values.length === 1 ? '*' : 'DISTINCT s.n';
      const narrowed = narrow === undefined ? [] : narrow.values;
      const sideCheck =
        narrow === undefined
          ? ''
          : ` AND EXISTS (SELECT 1 FROM messages c INDEXED BY ${narrow.index} WHERE c.${narrow.column} IN (${placeholders(narrowed.length)}) AND c.time = s.time AND c.n = s.n)`;
      // `+`: on the rows past the counter (a rowid range), not through the narrowing's index over the whole table.
      const tailCheck = narrow === undefined ? '' : ` AND +t.${narrow.column} IN (${placeholders(narrowed.length)})`;
      return [
        {
          sql: `SELECT count(${counted}) FROM ${index.table} s WHERE s.${index.column} IN (${placeholders(values.length)}) AND s.time >= ? AND s.time < ?${sideCheck}`,
          params: [...values, start, end, ...narrowed],
        },
        // `+t.time`: the rows past the counter are a rowid range; the time index would read the whole window.
        {
          sql: `SELECT count(*) FROM messages t WHERE t.n > ? AND +t.time >= ? AND +t.time < ? AND ${index.tailCheck(values.length)}${tailCheck}`,
          params: [indexedUpTo, start, end, ...values, ...narrowed],
        },
      ];
    }
    case 'rows': {
      const where = buildWhere(plan.filters);
      return [{ sql: `SELECT count(*) FROM messages m WHERE ${where.sql}`, params: where.params }];
    }
  }
}
