import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';

/**
 * The counters of `store_counter`: `messages` (rows stored), `text_indexed` and `side_indexed` (the last `n`
 * in the text index and in the users, packages and agents tables).
 */
export type SqliteStoreCounter = 'messages' | 'text_indexed' | 'side_indexed';

/** Reads one counter (in the caller's transaction, if any). */
export function readStoreCounter(statements: SqliteStatementCache, name: SqliteStoreCounter): number {
  return statements.get('SELECT value FROM store_counter WHERE name = ?').pluck().get(name) as number;
}

/** The newest row key `n` (0 when the archive is empty), in the caller's transaction, if any. */
export function readHead(statements: SqliteStatementCache): number {
  return (statements.get('SELECT max(n) FROM messages').pluck().get() as number | null) ?? 0;
}
