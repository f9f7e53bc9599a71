import type Database from 'better-sqlite3';
import type { TopicMatcher } from '@statbus/core';

/** Name of the SQL function `topic_match(pattern, topic)` the store registers (AMQP semantics). */
export const TOPIC_MATCH_FUNCTION = 'topic_match';

/** Name of the SQL function `body_contains(body, needle)` the store registers: the lower-cased body holds the needle. */
export const BODY_CONTAINS_FUNCTION = 'body_contains';

/** Name of the SQL function `js_lower(text)`: JavaScript's full Unicode lower-casing (SQLite's `lower()` is ASCII only). */
export const JS_LOWER_FUNCTION = 'js_lower';

/**
 * Registers the functions the store's SQL calls on this connection.
 *
 * @param matcher the compiled AMQP pattern for `topic_match(pattern, topic)`.
 */
export function registerSqliteFunctions(db: Database.Database, matcher: (pattern: string) => TopicMatcher): void {
  db.function(TOPIC_MATCH_FUNCTION, { deterministic: true }, (pattern: unknown, topic: unknown) =>
    typeof pattern === 'string' && typeof topic === 'string' && matcher(pattern).test(topic) ? 1 : 0,
  );
  // The stored body is JSON.stringify(body); lower-cased, it is exactly the text `contains` searches.
  db.function(BODY_CONTAINS_FUNCTION, { deterministic: true }, (body: unknown, needle: unknown) =>
    typeof body === 'string' && typeof needle === 'string' && body.toLowerCase().includes(needle) ? 1 : 0,
  );
  db.function(JS_LOWER_FUNCTION, { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
}
