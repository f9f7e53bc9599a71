import { QueryError, type TopicCatalogueQuery } from '@statbus/core';

const KEYS = new Set(['categories', 'start', 'end']);

/**
 * Checks an untrusted {@link TopicCatalogueQuery}.
 *
 * @throws {QueryError} naming the first bad field (unknown, wrong type, `end` before `start`).
 */
export function validateCatalogueQuery(value: unknown): TopicCatalogueQuery {
  if (typeof value !== 'object' || value === null) throw new QueryError('query', 'must be an object');
  const query = value as Record<string, unknown>;
  for (const key of Object.keys(query)) if (!KEYS.has(key)) throw new QueryError(key, 'unknown parameter');
  for (const key of ['start', 'end'] as const) {
    const time = query[key];
    if (time !== undefined && (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0)) {
      throw new QueryError(key, 'must be whole milliseconds');
    }
  }
  const categories = query['categories'];
  if (categories !== undefined && (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string' && c !== ''))) {
    throw new QueryError('categories', 'must be a list of category names');
  }
  if (typeof query['start'] === 'number' && typeof query['end'] === 'number' && query['end'] < query['start']) {
    throw new QueryError('end', 'is before start');
  }
  return {
    ...(categories === undefined ? {} : { categories: categories as string[] }),
    ...(typeof query['start'] === 'number' ? { start: query['start'] } : {}),
    ...(typeof query['end'] === 'number' ? { end: query['end'] } : {}),
  };
}
