import type { StoreStats, TopicCatalogueQuery, TopicSummary } from '@statbus/core';
import { validateCatalogueQuery } from '../../query/validate-catalogue-query.js';
import { placeholders } from '../schema/sql-fragment.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';

interface SummaryRow {
  topic: string;
  category: string;
  count: number;
  first_seen: number;
  last_seen: number;
}

/**
 * The topic catalogue and the totals, read from `topic_summary` (one row per topic, kept by `insertMany` in the
 * same transaction): O(topics), whatever the size of the archive.
 */
export class SqliteCatalogue {
  constructor(private readonly statements: SqliteStatementCache) {}

  /** Sorted by topic; counts are all-time totals of the topics listed. */
  topics(query: TopicCatalogueQuery): TopicSummary[] {
    const valid = validateCatalogueQuery(query);
    const parts: string[] = [];
    const params: (string | number)[] = [];
    if (valid.categories !== undefined && valid.categories.length > 0) {
      parts.push(`category IN (${placeholders(valid.categories.length)})`);
      params.push(...valid.categories);
    }
    if (valid.start !== undefined) {
      parts.push('last_seen >= ?');
      params.push(valid.start);
    }
    if (valid.end !== undefined) {
      parts.push('first_seen < ?');
      params.push(valid.end);
    }
    const where = parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
    const rows = this.statements.get(`SELECT * FROM topic_summary ${where} ORDER BY topic`).all(...params) as SummaryRow[];
    return rows.map((row) => ({
      topic: row.topic,
      category: row.category,
      count: row.count,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
    }));
  }

  /** @param total the number of messages stored. */
  stats(total: number): StoreStats {
    const rows = this.statements.get('SELECT * FROM topic_summary ORDER BY topic').all() as SummaryRow[];
    const byCategory: Record<string, number> = {};
    const byTopic: Record<string, number> = {};
    let first: number | undefined;
    let last: number | undefined;
    for (const row of rows) {
      byTopic[row.topic] = row.count;
      byCategory[row.category] = (byCategory[row.category] ?? 0) + row.count;
      first = first === undefined ? row.first_seen : Math.min(first, row.first_seen);
      last = last === undefined ? row.last_seen : Math.max(last, row.last_seen);
    }
    return {
      total,
      byCategory,
      byTopic,
      ...(first === undefined ? {} : { first }),
      ...(last === undefined ? {} : { last }),
    };
  }
}
