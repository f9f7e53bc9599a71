import { literalPrefix, type MessageQuery } from '@statbus/core';
import { containsCaseOf, normaliseNeedle, type ContainsCase } from '../../query/message-text.js';
import { isTopicPattern, negated, valuesOf } from '../../query/query-filters.js';
import { placeholders, type SqlFragment } from '../schema/sql-fragment.js';
import { BODY_CONTAINS_FUNCTION, TOPIC_MATCH_FUNCTION } from '../schema/sqlite-functions.js';
import { SQLITE_SIDE_INDEXES, sideIndexMembership } from '../schema/sqlite-side-indexes.js';
import { planFilters } from './plan-filters.js';
import type { ContainsAccess, FilterPlan, SqlitePlanContext, Window } from './query-plan.js';

/** Needles up to this length are checked with LIKE (SQLite's pattern limit is 50,000 bytes, escapes double some). */
const MAX_LIKE_NEEDLE = 10_000;
/** The only characters outside ASCII that JavaScript's `toLowerCase` turns into ASCII: İ → "i̇", K (Kelvin) → "k". */
const DOTTED_CAPITAL_I = 0x130;
const KELVIN_SIGN = 0x212a;
// eslint-disable-next-line no-control-regex -- any character outside ASCII
const NON_ASCII = /[^\u0000-\u007f]/u;

/** The smallest string greater than every string starting with `prefix` (code-unit order = SQLite BINARY for BMP text). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function topicCondition(topics: readonly string[], patternTopics: FilterPlan['patternTopics']): SqlFragment {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const exact = new Set(topics.filter((topic) => !isTopicPattern(topic)));
  for (const pattern of topics.filter(isTopicPattern)) {
    const expanded = patternTopics.get(pattern);
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

/** A LIKE pattern holding `needle` literally anywhere (escape character `\\`). */
function likeAnywhere(needle: string): string {
  return `%${needle.replace(/[\\%_]/gu, (char) => `\\${char}`)}%`;
}

/**
 * The exact `contains` check of one row. Case-sensitive: the body's JSON text holds a needle byte for byte,
 * natively (`instr`). Case-insensitive: see {@link caseInsensitiveCheck}.
 */
function bodyCheck(needles: readonly string[], containsCase: ContainsCase): SqlFragment {
  if (containsCase === 'insensitive') return caseInsensitiveCheck(needles.map((needle) => normaliseNeedle(needle, 'insensitive')));
  return { sql: `(${needles.map(() => 'instr(m.body, ?) > 0').join(' OR ')})`, params: needles };
}

/**
 * The exact case-insensitive `contains` check of one row for lower-cased needles. A body whose JSON text is pure ASCII (as
 * many characters as bytes) is checked natively by SQLite with `LIKE`, whose case folding is exactly
 * JavaScript's on ASCII (no call back into JavaScript, no lower-cased copy of the body), and so is any body when
 * every needle is ASCII, unless it holds one of the two characters JavaScript lower-cases to ASCII; any other
 * body goes to the registered function, which lower-cases it as {@link normaliseNeedle} does the needle.
 */
function caseInsensitiveCheck(lowered: readonly string[]): SqlFragment {
  // SQLite refuses LIKE patterns over 50,000 bytes: a needle that long is looked for in a lower-cased copy.
  const ascii = lowered.map((needle) =>
    needle.length <= MAX_LIKE_NEEDLE ? { sql: "m.body LIKE ? ESCAPE '\\'", param: likeAnywhere(needle) } : { sql: 'instr(lower(m.body), ?) > 0', param: needle },
  );
  // ASCII needles match a body's ASCII runs only: LIKE decides for any body without the two characters that
  // JavaScript lower-cases to ASCII (U+0130 and the Kelvin sign U+212A), not only for pure ASCII ones.
  const asciiNeedles = lowered.every((needle) => !NON_ASCII.test(needle));
  const likeDecides = asciiNeedles
    ? `length(m.body) = octet_length(m.body) OR (instr(m.body, char(${DOTTED_CAPITAL_I})) = 0 AND instr(m.body, char(${KELVIN_SIGN})) = 0)`
    : 'length(m.body) = octet_length(m.body)';
  return {
    sql: `(CASE WHEN ${likeDecides} THEN ${ascii.map((check) => check.sql).join(' OR ')} ELSE ${lowered.map(() => `${BODY_CONTAINS_FUNCTION}(m.body, ?)`).join(' OR ')} END)`,
    params: [...ascii.map((check) => check.param), ...lowered],
  };
}

/** `contains`: the body check decides; with candidates, only they and the rows not yet indexed are checked. */
function containsCondition(needles: readonly string[], containsCase: ContainsCase, access: ContainsAccess): SqlFragment {
  const check = bodyCheck(needles, containsCase);
  if (access.kind === 'row') return check;
  return {
    sql: `(m.n IN (SELECT value FROM json_each(?) UNION ALL SELECT n FROM messages WHERE n > ?) AND ${check.sql})`,
    params: [JSON.stringify(access.rows), access.indexedUpTo, ...check.params],
  };
}

/**
 * The WHERE clause (without the keyword) of a query over `messages m`, as `plan` says each filter is checked.
 * Values of one filter are OR-ed, filters AND-ed; a `not` filter excludes messages matching any of its values
 * (a message without an agent is never excluded by `notAgents`). Returns `1` when nothing filters.
 */
export function buildWhere(plan: FilterPlan): SqlFragment {
  const { query, window } = plan;
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const add = (fragment: SqlFragment, negate = false): void => {
    parts.push(negate ? `NOT ${fragment.sql}` : fragment.sql);
    params.push(...fragment.params);
  };
  if (window.start !== undefined) add({ sql: 'm.time >= ?', params: [window.start] });
  if (window.end !== undefined) add({ sql: 'm.time < ?', params: [window.end] });

  const topics = valuesOf(query, 'topics');
  if (topics) add(topicCondition(topics, plan.patternTopics));
  const notTopics = valuesOf(query, 'notTopics');
  if (notTopics) add(topicCondition(notTopics, plan.patternTopics), true);

  const categories = valuesOf(query, 'categories');
  if (categories) add({ sql: `m.category IN (${placeholders(categories.length)})`, params: categories });
  const notCategories = valuesOf(query, 'notCategories');
  if (notCategories) add({ sql: `m.category NOT IN (${placeholders(notCategories.length)})`, params: notCategories });

  const notAgents = valuesOf(query, 'notAgents');
  if (notAgents) add({ sql: `(m.agent IS NULL OR m.agent NOT IN (${placeholders(notAgents.length)}))`, params: notAgents });

  const side = plan.sideFilters;
  for (const index of SQLITE_SIDE_INDEXES) {
    const wanted = valuesOf(query, index.filter);
    // A message without an agent is never excluded by notAgents: checked on the row above.
    const unwanted = index.filter === 'agents' ? undefined : valuesOf(query, negated(index.filter));
    if (side.kind === 'row') {
      if (wanted) add({ sql: index.tailCheck(wanted.length, 'm'), params: wanted });
      if (unwanted) add({ sql: index.tailCheck(unwanted.length, 'm'), params: unwanted }, true);
      continue;
    }
    if (wanted) {
      const bound = side.timeBound;
      add({
        sql: sideIndexMembership(index, wanted.length, bound),
        params: [...wanted, ...(bound === undefined ? [] : [bound.time]), side.indexedUpTo, ...wanted],
      });
    }
    if (unwanted) add({ sql: `NOT ${sideIndexMembership(index, unwanted.length)}`, params: [...unwanted, side.indexedUpTo, ...unwanted] });
  }

  const contains = valuesOf(query, 'contains');
  if (contains) add(containsCondition(contains, containsCaseOf(query), plan.contains));
  const notContains = valuesOf(query, 'notContains');
  if (notContains) add(bodyCheck(notContains, containsCaseOf(query)), true);
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

/** The WHERE clause of `query` in `window` with every filter served by the indexes (the side tables and the text index). */
export function buildSqliteWhere(query: MessageQuery, window: Window, context: SqlitePlanContext): SqlFragment {
  return buildWhere(planFilters(query, window, 'indexes', context));
}
