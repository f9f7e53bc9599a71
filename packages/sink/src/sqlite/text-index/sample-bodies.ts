import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { JS_LOWER_FUNCTION } from '../schema/sqlite-functions.js';
import { readHead } from '../schema/sqlite-store-counter.js';

/**
 * Up to `count` bodies at random over the archive, lower-cased as the text index holds them. Random, not every
 * k-th row: a regular stride can fall in step with a pattern of the traffic and miss whole kinds of messages.
 */
export function sampleBodies(statements: SqliteStatementCache, count: number): string[] {
  const last = readHead(statements);
  const keys = Array.from({ length: Math.min(count, last) }, () => 1 + Math.floor(Math.random() * last));
  return statements
    .get(`SELECT CASE WHEN length(body) = octet_length(body) THEN lower(body) ELSE ${JS_LOWER_FUNCTION}(body) END
      FROM messages WHERE n IN (SELECT value FROM json_each(?))`)
    .pluck()
    .all(JSON.stringify(keys)) as string[];
}
