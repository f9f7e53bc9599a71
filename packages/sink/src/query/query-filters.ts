import type { MessageQuery } from '@statbus/core';

/** The list filters of a {@link MessageQuery}, each with its `not` form. */
export const LIST_FILTERS = ['topics', 'categories', 'users', 'packages', 'agents', 'contains'] as const;

/** One of {@link LIST_FILTERS}. */
export type ListFilter = (typeof LIST_FILTERS)[number];

/** The `not` form of a list filter: `topics` → `notTopics`. */
export function negated(filter: ListFilter): `not${Capitalize<ListFilter>}` {
  return `not${filter.charAt(0).toUpperCase()}${filter.slice(1)}` as `not${Capitalize<ListFilter>}`;
}

/** The values of a filter; an absent or empty list means "no filter" (datagrepper's reading). */
export function valuesOf(query: MessageQuery, key: ListFilter | `not${Capitalize<ListFilter>}`): readonly string[] | undefined {
  const values = query[key];
  return values === undefined || values.length === 0 ? undefined : values;
}

/** True when the query selects everything: no time bound and no list filter. */
export function selectsEverything(query: MessageQuery): boolean {
  if (query.start !== undefined || query.end !== undefined || query.delta !== undefined) return false;
  return LIST_FILTERS.every((filter) => valuesOf(query, filter) === undefined && valuesOf(query, negated(filter)) === undefined);
}

/** True when a topic filter value holds a wildcard word (`*` or `#`): a pattern, not a topic. */
export function isTopicPattern(topic: string): boolean {
  return topic.split('.').some((word) => word === '*' || word === '#');
}
