import { QueryError, TopicError, validateMessageQuery, validatePattern, type MessageQuery } from '@statbus/core';
import { decodeCursor, type KeysetPosition } from './keyset-cursor.js';

/** A query checked by {@link checkQuery}, with its decoded cursor when it has one. */
export interface CheckedQuery {
  readonly query: MessageQuery;
  readonly position?: KeysetPosition;
}

/**
 * Everything a store checks before it runs a query: the fields ({@link validateMessageQuery}), each topic
 * pattern's grammar, and the cursor (well-formed and made by a query with the same filters and order).
 *
 * @throws {QueryError} naming the field.
 */
export function checkQuery(value: unknown): CheckedQuery {
  const query = validateMessageQuery(value);
  for (const field of ['topics', 'notTopics'] as const) {
    for (const pattern of query[field] ?? []) {
      try {
        validatePattern(pattern);
      } catch (error) {
        if (error instanceof TopicError) throw new QueryError(field, error.message);
        throw error;
      }
    }
  }
  if (query.cursor === undefined) return { query };
  return { query, position: decodeCursor({ ...query, cursor: query.cursor }) };
}
