import type { ChangeBatch, ChangesOptions } from '@statbus/core';
import { checkChangesLimit, parseSequencePosition } from '../../store/sequence-position.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { rawRowToMessage, ROW_COLUMNS_WITHOUT_CONTENT, rowToMessage, type MessageRow, type RawRowWithoutContent } from '../schema/sqlite-rows.js';

/**
 * Up to `limit` messages stored after position `after`, in the order they were stored. Positions are the row key
 * `n`: with SQLite's single writer, `n` grows in commit order, so a reader passing back the last position misses
 * nothing and sees nothing twice. With `content: false` the headers and body are left out.
 */
export function readChanges(statements: SqliteStatementCache, after: string | undefined, limit: number, options: ChangesOptions): ChangeBatch {
  const from = parseSequencePosition(after);
  checkChangesLimit(limit);
  if (options.content === false) {
    const raw = statements.get(`SELECT ${ROW_COLUMNS_WITHOUT_CONTENT} FROM messages WHERE n > ? ORDER BY n LIMIT ?`).raw().all(from, limit) as RawRowWithoutContent[];
    const changes = raw.map((row) => ({ position: String(row[0]), message: rawRowToMessage(row) }));
    return { changes, position: String(raw[raw.length - 1]?.[0] ?? from) };
  }
  const rows = statements.get('SELECT * FROM messages WHERE n > ? ORDER BY n LIMIT ?').all(from, limit) as MessageRow[];
  const last = rows[rows.length - 1];
  return {
    changes: rows.map((row) => ({ position: String(row.n), message: rowToMessage(row) })),
    position: String(last?.n ?? from),
  };
}
