import type { JsonObject, MessageQuery } from '@statbus/core';

/** How `contains` compares letters (`MessageQuery.containsCase`, `sensitive` when absent). */
export type ContainsCase = NonNullable<MessageQuery['containsCase']>;

/** The query's `containsCase`, its default applied. */
export function containsCaseOf(query: MessageQuery): ContainsCase {
  return query.containsCase ?? 'sensitive';
}

/**
 * The text `contains` searches, as datagrepper does: the message body serialised as JSON, letters as they are.
 * A case-sensitive needle is a substring of it; a case-insensitive one, lower-cased, of it lower-cased.
 */
export function searchableText(body: JsonObject): string {
  return JSON.stringify(body);
}

/** A `contains` needle as it is compared with {@link searchableText} (lower-cased when case-insensitive). */
export function normaliseNeedle(needle: string, containsCase: ContainsCase = 'insensitive'): string {
  return containsCase === 'insensitive' ? needle.toLowerCase() : needle;
}
