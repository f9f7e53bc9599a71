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

/** Name of the SQL function `body_contains(body, needle)` the store registers: the lower-cased body holds the needle. */
export const BODY_CONTAINS_FUNCTION = 'body_contains';

/** What the store knows that makes a query cheaper to plan, looked up in the same read transaction. */
export interface SqlitePlanContext {
  /** The stored topics a pattern matches (from the topic summary), or undefined to match row by row. */
  readonly topicsMatching?: (pattern: string) => readonly string[] | undefined;
  /** Rows with `n` above this are not yet in the text index: `contains` checks them directly. */
  readonly textIndexedUpTo: number;
  /** The smallest and largest `n` inside the time window, when `contains` can use it to narrow the text index. */
  readonly windowRows?: () => { readonly first: number; readonly last: number } | undefined;
  /** For a page of a users-only or packages-only query: the side-table time its rows cannot pass. */
  readonly sideTableTime?: { readonly descending: boolean; readonly bound: number };
}

/** The text index's smallest unit: needles shorter than this (in characters) cannot use it. */
const TRIGRAM = 3;
/** At most this many trigrams of a needle are asked of the index; the body check decides exactly anyway. */
const MAX_TRIGRAMS = 12;

const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');

function isPattern(topic: string): boolean {
  return topic.split('.').some((word) => word === '*' || word === '#');
}

/** The smallest string greater than every string starting with `prefix` (code-unit order = SQLite BINARY for BMP text). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function topicCondition(topics: readonly string[], context: SqlitePlanContext): SqlFragment {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const exact = new Set(topics.filter((topic) => !isPattern(topic)));
  for (const pattern of topics.filter(isPattern)) {
    const expanded = context.topicsMatching?.(pattern);
    if (expanded !== undefined) {
      // The summary lists every stored topic: a pattern is the exact list of those it matches.
      for (const topic of expanded) exact.add(topic);
      continue;
    }
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
  if (exact.size > 0) {
    parts.unshift(`m.topic IN (${placeholders(exact.size)})`);
    params.unshift(...exact);
  }
  if (parts.length === 0) return { sql: '0', params: [] };
  return { sql: parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`, params };
}

/**
 * The exact `contains` check of one row for lower-cased needles. A body whose JSON text is pure ASCII
 * (as many characters as bytes) is lower-cased the same by SQLite's `lower()` and JavaScript, so SQLite
 * checks it natively (a tenth of the cost of calling back into JavaScript); any other body goes to the
 * registered function, which lower-cases it as {@link normaliseNeedle} does the needle.
 */
function bodyCheck(lowered: readonly string[]): SqlFragment {
  const any = (template: string): string => lowered.map(() => template).join(' OR ');
  return {
    sql: `(CASE WHEN length(m.body) = octet_length(m.body) THEN ${any('instr(lower(m.body), ?) > 0')} ELSE ${any(`${BODY_CONTAINS_FUNCTION}(m.body, ?)`)} END)`,
    params: [...lowered, ...lowered],
  };
}

/** An FTS5 query for rows whose text holds every (sampled) trigram of `needle`. */
function trigramQuery(needle: string): string {
  const chars = Array.from(needle);
  const trigrams = [...new Set(Array.from({ length: chars.length - TRIGRAM + 1 }, (_, i) => chars.slice(i, i + TRIGRAM).join('')))];
  const step = Math.max(1, Math.ceil(trigrams.length / MAX_TRIGRAMS));
  const sampled = trigrams.filter((_, i) => i % step === 0 || i === trigrams.length - 1);
  return `(${sampled.map((trigram) => `"${trigram.replace(/"/gu, '""')}"`).join(' AND ')})`;
}

/**
 * `contains`: the body check decides; when every needle has a trigram, the text index (narrowed to the window's
 * rows when there is one) and the not-yet-indexed tail propose the only rows worth checking.
 */
function containsCondition(needles: readonly string[], context: SqlitePlanContext): SqlFragment {
  const lowered = needles.map(normaliseNeedle);
  const check = bodyCheck(lowered);
  if (lowered.some((needle) => Array.from(needle).length < TRIGRAM)) return check;
  const rows = context.windowRows?.();
  const range = rows === undefined ? '' : ' AND rowid >= ? AND rowid <= ?';
  const params: (string | number)[] = [lowered.map(trigramQuery).join(' OR ')];
  if (rows !== undefined) params.push(rows.first, rows.last);
  params.push(context.textIndexedUpTo, ...check.params);
  return {
    sql: `(m.n IN (SELECT rowid FROM message_text WHERE message_text MATCH ?${range} UNION ALL SELECT n FROM messages WHERE n > ?) AND ${check.sql})`,
    params,
  };
}

/**
 * The WHERE clause (without the keyword) of a query over `messages m`, for the window already resolved.
 * Values of one filter are OR-ed, filters AND-ed; a `not` filter excludes messages matching any of its values
 * (a message without an agent is never excluded by `notAgents`). Returns `1` when nothing filters.
 */
export function buildSqliteWhere(
  query: MessageQuery,
  window: { start?: number; end?: number },
  context: SqlitePlanContext = { textIndexedUpTo: 0 },
): SqlFragment {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const add = (fragment: SqlFragment, negate = false): void => {
    parts.push(negate ? `NOT ${fragment.sql}` : fragment.sql);
    params.push(...fragment.params);
  };
  if (window.start !== undefined) add({ sql: 'm.time >= ?', params: [window.start] });
  if (window.end !== undefined) add({ sql: 'm.time < ?', params: [window.end] });

  const topics = valuesOf(query, 'topics');
  if (topics) add(topicCondition(topics, context));
  const notTopics = valuesOf(query, 'notTopics');
  if (notTopics) add(topicCondition(notTopics, context), true);

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
    if (wanted) {
      const side = context.sideTableTime;
      const bound = side === undefined ? '' : ` AND time ${side.descending ? '>=' : '<='} ?`;
      add({ sql: `m.n IN (SELECT n FROM ${table} WHERE ${column} IN (${placeholders(wanted.length)})${bound})`, params: side === undefined ? wanted : [...wanted, side.bound] });
    }
    const unwanted = valuesOf(query, notKey);
    if (unwanted) add({ sql: `m.n NOT IN (SELECT n FROM ${table} WHERE ${column} IN (${placeholders(unwanted.length)}))`, params: unwanted });
  }

  const contains = valuesOf(query, 'contains');
  if (contains) add(containsCondition(contains, context));
  const notContains = valuesOf(query, 'notContains');
  if (notContains) add(bodyCheck(notContains.map(normaliseNeedle)), true);
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}
