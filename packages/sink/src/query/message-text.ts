import type { JsonObject } from '@statbus/core';

/**
 * The text `contains` searches, as datagrepper does: the message body serialised as JSON. Stored lower-cased
 * (JavaScript's full Unicode case mapping) so that a lower-cased needle gives a case-insensitive substring match.
 */
export function searchableText(body: JsonObject): string {
  return JSON.stringify(body).toLowerCase();
}

/** A `contains` needle as it is compared with {@link searchableText}. */
export function normaliseNeedle(needle: string): string {
  return needle.toLowerCase();
}
