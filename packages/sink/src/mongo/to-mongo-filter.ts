import { DEFAULT_ROWS_PER_PAGE, queryWindow, type MessageQuery } from '@statbus/core';
import { checkQuery } from '../query/check-query.js';
import type { KeysetPosition } from '../query/keyset-cursor.js';
import { containsCaseOf, type ContainsCase } from '../query/message-text.js';
import { isTopicPattern, valuesOf } from '../query/query-filters.js';
import { escapeRegexLiteral, topicPatternRegex } from './topic-pattern-regex.js';

/** A MongoDB query document (plain data: it is also evaluated by `mingo` in the tests). */
export type MongoFilter = { [key: string]: unknown };

/** What {@link toMongoFilter} translates a query into. */
export interface MongoQueryPlan {
  /** Selects every message of the query (all pages): what `countDocuments` counts. */
  readonly filter: MongoFilter;
  /** `filter`, and with a cursor the keyset condition "after the cursor's (time, id)": what `find` reads. */
  readonly pageFilter: MongoFilter;
  /** `{ time, _id }`, both 1 or both -1. */
  readonly sort: { readonly time: 1 | -1; readonly _id: 1 | -1 };
  /** Documents to skip: `(page - 1) * rowsPerPage` for offset pages, 0 with a cursor. */
  readonly skip: number;
  /** `rowsPerPage + 1`: the extra document tells whether there is a next page. */
  readonly limit: number;
  readonly page: number;
  readonly rowsPerPage: number;
  /** The resolved time window (kept in the next cursor). */
  readonly window: { readonly start?: number; readonly end?: number };
  /** The checked query. */
  readonly query: MessageQuery;
  readonly position?: KeysetPosition;
}

function topicFilter(topics: readonly string[]): MongoFilter {
  const alternatives: MongoFilter[] = [];
  const exact = topics.filter((topic) => !isTopicPattern(topic));
  if (exact.length > 0) alternatives.push({ topic: { $in: exact } });
  for (const pattern of topics.filter(isTopicPattern)) {
    const source = topicPatternRegex(pattern);
    alternatives.push(source === undefined ? { topic: { $exists: true } } : { topic: { $regex: source } });
  }
  return alternatives.length === 1 ? (alternatives[0] as MongoFilter) : { $or: alternatives };
}

/** A literal regex over the stored JSON text of the body; `i` when case-insensitive. */
function containsFilter(containsCase: ContainsCase) {
  return (needles: readonly string[]): MongoFilter => {
    const source = needles.map(escapeRegexLiteral).join('|');
    return { text: containsCase === 'insensitive' ? { $regex: source, $options: 'i' } : { $regex: source } };
  };
}

function filterParts(query: MessageQuery, window: { start?: number; end?: number }): MongoFilter[] {
  const parts: MongoFilter[] = [];
  if (window.start !== undefined || window.end !== undefined) {
    parts.push({
      time: { ...(window.start === undefined ? {} : { $gte: window.start }), ...(window.end === undefined ? {} : { $lt: window.end }) },
    });
  }
  const positive = (values: readonly string[] | undefined, make: (values: readonly string[]) => MongoFilter): void => {
    if (values !== undefined) parts.push(make(values));
  };
  // Every `not` form is the `$nor` of its positive form: a message without an agent is kept by notAgents.
  const negative = (values: readonly string[] | undefined, make: (values: readonly string[]) => MongoFilter): void => {
    if (values !== undefined) parts.push({ $nor: [make(values)] });
  };
  const field = (name: string) => (values: readonly string[]): MongoFilter => ({ [name]: { $in: [...values] } });
  positive(valuesOf(query, 'topics'), topicFilter);
  negative(valuesOf(query, 'notTopics'), topicFilter);
  positive(valuesOf(query, 'categories'), field('category'));
  negative(valuesOf(query, 'notCategories'), field('category'));
  positive(valuesOf(query, 'users'), field('users'));
  negative(valuesOf(query, 'notUsers'), field('users'));
  positive(valuesOf(query, 'packages'), field('packages'));
  negative(valuesOf(query, 'notPackages'), field('packages'));
  positive(valuesOf(query, 'agents'), field('agent'));
  negative(valuesOf(query, 'notAgents'), field('agent'));
  positive(valuesOf(query, 'contains'), containsFilter(containsCaseOf(query)));
  negative(valuesOf(query, 'notContains'), containsFilter(containsCaseOf(query)));
  return parts;
}

function allOf(parts: readonly MongoFilter[]): MongoFilter {
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0] as MongoFilter;
  return { $and: [...parts] };
}

/**
 * Translates a {@link MessageQuery} into MongoDB terms, with no I/O: the filter (values OR-ed with `$in` /
 * `$or`, filters AND-ed with `$and`, `not` forms as `$nor`), topic patterns as anchored regexes, `contains`
 * as a literal regex over the stored JSON `text` of the body, with `i` when `containsCase` is `insensitive`
 * (substring, not `$text`'s word search), the sort by `(time, _id)`, and paging by skip or by a keyset
 * condition after the cursor.
 *
 * @param now the clock for a `delta` without `end` (default `Date.now()`).
 * @throws {QueryError} naming the field, for a bad query or cursor.
 */
export function toMongoFilter(query: MessageQuery, now: number = Date.now()): MongoQueryPlan {
  const { query: valid, position } = checkQuery(query);
  const window = position?.window ?? queryWindow(valid, now);
  const rowsPerPage = valid.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
  const page = position?.page ?? valid.page ?? 1;
  const direction = (valid.order ?? 'desc') === 'asc' ? 1 : -1;
  const parts = filterParts(valid, window);
  const filter = allOf(parts);
  let pageFilter = filter;
  if (position !== undefined) {
    const after = direction === 1 ? '$gt' : '$lt';
    pageFilter = allOf([
      ...parts,
      { $or: [{ time: { [after]: position.time } }, { time: position.time, _id: { [after]: position.id } }] },
    ]);
  }
  return {
    filter,
    pageFilter,
    sort: { time: direction, _id: direction },
    skip: position === undefined ? (page - 1) * rowsPerPage : 0,
    limit: rowsPerPage + 1,
    page,
    rowsPerPage,
    window,
    query: valid,
    ...(position === undefined ? {} : { position }),
  };
}
