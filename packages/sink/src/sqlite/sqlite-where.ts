import { literalPrefix, type MessageQuery } from '@statbus/core';
import { normaliseNeedle } from '../query/message-text.js';
import { valuesOf } from '../query/query-filters.js';

/** A piece of SQL and its positional parameters. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

/** Name of the SQL function `topic_match(pattern, topic)` the store registers (AMQP semantics). */
export const TOPIC_MATCH_FUNCTION = 'topic_match';

const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');

function isPattern(topic: string): boolean {
  return topic.split('.').some((word) => word === '*' || word === '#');
}

/** The smallest string greater than every string starting with `prefix` (code-unit order = SQLite BINARY for BMP text). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function topicCondition(topics: readonly string[]): SqlFragment {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const exact = topics.filter((topic) => !isPattern(topic));
  if (exact.length > 0) {
    parts.push(`m.topic IN (${placeholders(exact.length)})`);
    params.push(...exact);
  }
  for (const pattern of topics.filter(isPattern)) {
    // The literal prefix narrows the topic index to a range; the registered matcher decides exactly.
    const prefix = literalPrefix(pattern);
    if (prefix === '') {
      parts.push(`${TOPIC_MATCH_FUNCTION}(?, m.topic)`);
      params.push(pattern);
    } else {
      parts.push(`(m.topic >= ? AND m.topic < ? AND ${TOPIC_MATCH_FUNCTION}(?, m.topic))`);
      params.push(prefix, prefixUpperBound(prefix), pattern);
    }
  }
  return { sql: parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`, params };
}

/** A GLOB pattern matching `needle` anywhere, its wildcard characters taken literally. */
function globContaining(needle: string): string {
  return `*${needle.replace(/[[*?]/gu, (char) => `[${char}]`)}*`;
}

function containsSubquery(needles: readonly string[]): SqlFragment {
  // FTS5's trigram tokenizer answers GLOB from its index when the needle has 3 or more characters and checks
  // the stored text itself; a shorter needle makes no trigram and is a scan of the text (slow on a big archive).
  const parts = needles.map(() => 'SELECT rowid FROM message_text WHERE text GLOB ?');
  return { sql: parts.join(' UNION '), params: needles.map((needle) => globContaining(normaliseNeedle(needle))) };
}

/** The per-row form: cheap when another filter or the time window already narrows the rows to check. */
function containsCheck(needles: readonly string[]): SqlFragment {
  const globs = needles.map(() => 'text GLOB ?').join(' OR ');
  return {
    sql: `EXISTS (SELECT 1 FROM message_text WHERE rowid = m.n AND (${globs}))`,
    params: needles.map((needle) => globContaining(normaliseNeedle(needle))),
  };
}

/**
 * The WHERE clause (without the keyword) of a query over `messages m`, for the window already resolved.
 * Values of one filter are OR-ed, filters AND-ed; a `not` filter excludes messages matching any of its values
 * (a message without an agent is never excluded by `notAgents`). Returns `1` when nothing filters.
 */
export function buildSqliteWhere(query: MessageQuery, window: { start?: number; end?: number }): SqlFragment {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const add = (fragment: SqlFragment, negate = false): void => {
    parts.push(negate ? `NOT ${fragment.sql}` : fragment.sql);
    params.push(...fragment.params);
  };
  if (window.start !== undefined) add({ sql: 'm.time >= ?', params: [window.start] });
  if (window.end !== undefined) add({ sql: 'm.time < ?', params: [window.end] });

  const topics = valuesOf(query, 'topics');
  if (topics) add(topicCondition(topics));
  const notTopics = valuesOf(query, 'notTopics');
  if (notTopics) add(topicCondition(notTopics), true);

  const categories = valuesOf(query, 'categories');
  if (categories) add({ sql: `m.category IN (${placeholders(categories.length)})`, params: categories });
  const notCategories = valuesOf(query, 'notCategories');
  if (notCategories) add({ sql: `m.category NOT IN (${placeholders(notCategories.length)})`, params: notCategories });

  const agents = valuesOf(query, 'agents');
  if (agents) add({ sql: `m.agent IN (${placeholders(agents.length)})`, params: agents });
  const notAgents = valuesOf(query, 'notAgents');
  if (notAgents) add({ sql: `(m.agent IS NULL OR m.agent NOT IN (${placeholders(notAgents.length)}))`, params: notAgents });

  for (const [table, column, key, notKey] of [
    ['message_users', 'user', 'users', 'notUsers'],
    ['message_packages', 'package', 'packages', 'notPackages'],
  ] as const) {
    const wanted = valuesOf(query, key);
    if (wanted) add({ sql: `m.n IN (SELECT n FROM ${table} WHERE ${column} IN (${placeholders(wanted.length)}))`, params: wanted });
    const unwanted = valuesOf(query, notKey);
    if (unwanted) add({ sql: `m.n NOT IN (SELECT n FROM ${table} WHERE ${column} IN (${placeholders(unwanted.length)}))`, params: unwanted });
  }

  const contains = valuesOf(query, 'contains');
  if (contains) {
    // Alone, the trigram index finds the rows; after a window or an indexed filter, checking each row is cheaper.
    const narrowed = parts.length > 0;
    if (narrowed) add(containsCheck(contains));
    else {
      const sub = containsSubquery(contains);
      add({ sql: `m.n IN (${sub.sql})`, params: sub.params });
    }
  }
  const notContains = valuesOf(query, 'notContains');
  if (notContains) add(containsCheck(notContains), true);
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}
