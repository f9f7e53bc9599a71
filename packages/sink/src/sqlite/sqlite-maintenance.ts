import type Database from 'better-sqlite3';
import type { MaintenanceOptions, RedactionPath, RetentionSelection } from '@statbus/core';
import { parseRedactionPaths, redactEnvelope, rederive, type DerivedKeys } from '../retention/redact-envelope.js';
import { SqliteRollupCorrection } from './sqlite-rollup-correction.js';
import { rowToMessage, type MessageRow } from './schema/sqlite-rows.js';
import type { SqliteStatementCache } from './cache/sqlite-statement-cache.js';
import { readStoreCounter } from './schema/sqlite-store-counter.js';
import { BITMAP_BLOCK_ROWS, blockOf } from './text-index/trigram-bitmaps.js';
import { TOPIC_MATCH_FUNCTION } from './schema/sqlite-functions.js';
import { placeholders } from './schema/sql-fragment.js';

interface RemovedRow {
  readonly n: number;
  readonly id: string;
  readonly time: number;
  readonly topic: string;
  readonly agent: string | null;
  readonly users: string;
  readonly packages: string;
}

const REMOVED_COLUMNS = 'n, id, time, topic, agent, users, packages';

/**
 * Removes and edits rows of the SQLite archive, each call in one IMMEDIATE transaction, keeping the side
 * tables consistent: the users, packages and agents indexes (rows already indexed), the topic catalogue
 * (counts, first and last seen) and the `messages` counter. The text index holds only trigram bitmaps, and
 * every candidate it gives is checked against the body, so a removed or redacted body is never found by it; a
 * redacted row's block is indexed again, so that what the redaction wrote is found.
 */
export class SqliteMaintenance {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatementCache,
  ) {}

  /** Removes the rows with these ids (and, with `options.rollups`, what they added to the rollups); returns the ids that were stored. */
  deleteIds(ids: readonly string[], options: MaintenanceOptions = {}): string[] {
    return this.db
      .transaction(() => {
        const rows = this.statements.get('SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as (RemovedRow & MessageRow)[];
        this.remove(rows);
        if (options.rollups !== undefined) {
          const correction = new SqliteRollupCorrection(this.statements, options.rollups);
          for (const row of rows) correction.removed(row.n, rowToMessage(row));
        }
        return rows.map((row) => row.id);
      })
      .immediate();
  }

  /** Removes up to `limit` of the oldest rows `selection` names; returns how many. */
  pruneBatch(selection: RetentionSelection, limit: number): number {
    const where = ['time < ?'];
    const params: unknown[] = [selection.before];
    if (selection.topics !== undefined && selection.topics.length > 0) {
      where.push(`(${selection.topics.map(() => `${TOPIC_MATCH_FUNCTION}(?, topic)`).join(' OR ')})`);
      params.push(...selection.topics);
    }
    if (selection.categories !== undefined && selection.categories.length > 0) {
      where.push(`category IN (${placeholders(selection.categories.length)})`);
      params.push(...selection.categories);
    }
    return this.db
      .transaction(() => {
        const rows = this.statements
          .get(`SELECT ${REMOVED_COLUMNS} FROM messages INDEXED BY messages_time WHERE ${where.join(' AND ')} ORDER BY time LIMIT ?`)
          .all(...params, limit) as RemovedRow[];
        this.remove(rows);
        return rows.length;
      })
      .immediate();
  }

  /**
   * Redacts one row in place; false when no row has that id. With `options.derive`, users, packages and agent are
   * derived again when the redaction changes what they derive from; with `options.rollups`, the rollups follow.
   */
  redact(id: string, paths: readonly RedactionPath[], options: MaintenanceOptions = {}): boolean {
    const targets = parseRedactionPaths(paths);
    return this.db
      .transaction(() => {
        const row = this.statements.get('SELECT * FROM messages WHERE id = ?').get(id) as MessageRow | undefined;
        if (row === undefined) return false;
        const before = rowToMessage(row);
        const { headers, body } = redactEnvelope(before.envelope, targets);
        const keys = rederive(before, { ...before.envelope, headers, body }, options);
        this.statements
          .get('UPDATE messages SET body = ?, headers = ?, signature = NULL, users = ?, packages = ?, agent = ? WHERE n = ?')
          .run(JSON.stringify(body), JSON.stringify(headers), JSON.stringify(keys.users), JSON.stringify(keys.packages), keys.agent ?? null, row.n);
        if (keys.changed) this.reindex(row, keys);
        this.unindexText(row.n);
        if (options.rollups !== undefined) {
          const after = rowToMessage(this.statements.get('SELECT * FROM messages WHERE n = ?').get(row.n) as MessageRow);
          new SqliteRollupCorrection(this.statements, options.rollups).replace(row.n, before, after);
        }
        return true;
      })
      .immediate();
  }

  /**
   * The text index holds the bits of the body as it was, not those of the redaction marker: the `text_indexed`
   * counter moves back before the row's block, so that the block is built again from the stored bodies (queries check
   * rows past the counter on their bodies meanwhile). It always moves below where it was, so that an indexer that
   * built a chunk from the old body (another connection, between its read and its write) finds the counter moved and
   * builds the chunk again.
   */
  private unindexText(n: number): void {
    const indexed = readStoreCounter(this.statements, 'text_indexed');
    // At least -1: row keys start at 1, so the first block starts at 0.
    const before = Math.min(indexed - 1, blockOf(n) * BITMAP_BLOCK_ROWS - 1);
    this.statements.get("UPDATE store_counter SET value = ? WHERE name = 'text_indexed'").run(before);
  }

  /** Moves an already indexed row's entries in the users, packages and agents indexes to its new values. */
  private reindex(row: MessageRow, keys: DerivedKeys): void {
    if (row.n > readStoreCounter(this.statements, 'side_indexed')) return;
    this.unindex(row);
    for (const user of new Set(keys.users)) this.statements.get('INSERT OR IGNORE INTO message_users (user, time, n) VALUES (?, ?, ?)').run(user, row.time, row.n);
    for (const name of new Set(keys.packages)) this.statements.get('INSERT OR IGNORE INTO message_packages (package, time, n) VALUES (?, ?, ?)').run(name, row.time, row.n);
    if (keys.agent !== undefined) this.statements.get('INSERT OR IGNORE INTO message_agents (agent, time, n) VALUES (?, ?, ?)').run(keys.agent, row.time, row.n);
  }

  /** Removes an already indexed row's entries from the users, packages and agents indexes. */
  private unindex(row: RemovedRow): void {
    for (const user of JSON.parse(row.users) as string[]) this.statements.get('DELETE FROM message_users WHERE user = ? AND time = ? AND n = ?').run(user, row.time, row.n);
    for (const name of JSON.parse(row.packages) as string[]) this.statements.get('DELETE FROM message_packages WHERE package = ? AND time = ? AND n = ?').run(name, row.time, row.n);
    if (row.agent !== null) this.statements.get('DELETE FROM message_agents WHERE agent = ? AND time = ? AND n = ?').run(row.agent, row.time, row.n);
  }

  private remove(rows: readonly RemovedRow[]): void {
    if (rows.length === 0) return;
    const indexed = readStoreCounter(this.statements, 'side_indexed');
    const byTopic = new Map<string, number>();
    for (const row of rows) {
      if (row.n <= indexed) this.unindex(row);
      this.statements.get('DELETE FROM messages WHERE n = ?').run(row.n);
      byTopic.set(row.topic, (byTopic.get(row.topic) ?? 0) + 1);
    }
    for (const [topic, removed] of byTopic) {
      this.statements.get('UPDATE topic_summary SET count = count - ? WHERE topic = ?').run(removed, topic);
      const span = this.statements.get('SELECT min(time) AS first, max(time) AS last FROM messages WHERE topic = ?').get(topic) as { first: number | null; last: number | null };
      if (span.first === null || span.last === null) this.statements.get('DELETE FROM topic_summary WHERE topic = ?').run(topic);
      else this.statements.get('UPDATE topic_summary SET first_seen = ?, last_seen = ? WHERE topic = ?').run(span.first, span.last, topic);
    }
    this.statements.get("UPDATE store_counter SET value = max(0, value - ?) WHERE name = 'messages'").run(rows.length);
  }
}
