import type { SqliteStatementCache } from './sqlite-statement-cache.js';

/**
 * The counters of `store_counter`: `messages` (rows stored), `text_indexed` and `side_indexed` (the last `n`
 * in the text index and in the users, packages and agents tables).
 */
export type SqliteStoreCounter = 'messages' | 'text_indexed' | 'side_indexed';

/** Reads one counter (in the caller's transaction, if any). */
export function readStoreCounter(statements: SqliteStatementCache, name: SqliteStoreCounter): number {
  return statements.get('SELECT value FROM store_counter WHERE name = ?').pluck().get(name) as number;
}
