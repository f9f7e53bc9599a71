import { DEFAULT_ROWS_PER_PAGE, compilePatterns, queryWindow, type ArchivedMessage, type MessageQuery } from '@statbus/core';

/**
 * What `contains` searches (datagrepper's reading): the JSON text of the body, as it is (case-sensitive, the
 * default) or lower-cased (`containsCase: 'insensitive'`).
 */
export function referenceText(message: ArchivedMessage, containsCase: MessageQuery['containsCase'] = 'sensitive'): string {
  const text = JSON.stringify(message.envelope.body);
  return containsCase === 'insensitive' ? text.toLowerCase() : text;
}

function list(values: readonly string[] | undefined): readonly string[] | undefined {
  return values === undefined || values.length === 0 ? undefined : values;
}

function anyOf(wanted: readonly string[] | undefined, have: readonly string[]): boolean {
  return wanted === undefined || wanted.some((value) => have.includes(value));
}

function noneOf(unwanted: readonly string[] | undefined, have: readonly string[]): boolean {
  return unwanted === undefined || !unwanted.some((value) => have.includes(value));
}

/** The spec in code: does `message` match the filters (not the paging) of `query`? */
export function referenceMatches(message: ArchivedMessage, query: MessageQuery, now: number = Date.now()): boolean {
  const { envelope } = message;
  const window = queryWindow(query, now);
  if (window.start !== undefined && envelope.time < window.start) return false;
  if (window.end !== undefined && envelope.time >= window.end) return false;
  const topics = list(query.topics);
  if (topics !== undefined && !compilePatterns(topics).test(envelope.topic)) return false;
  const notTopics = list(query.notTopics);
  if (notTopics !== undefined && compilePatterns(notTopics).test(envelope.topic)) return false;
  const agent = message.agent === undefined ? [] : [message.agent];
  const text = referenceText(message, query.containsCase);
  const fold = (needle: string): string => (query.containsCase === 'insensitive' ? needle.toLowerCase() : needle);
  const found = (list(query.contains) ?? []).filter((needle) => text.includes(fold(needle)));
  const notFound = (list(query.notContains) ?? []).filter((needle) => text.includes(fold(needle)));
  return (
    anyOf(list(query.categories), [message.category]) &&
    noneOf(list(query.notCategories), [message.category]) &&
    anyOf(list(query.users), message.users) &&
    noneOf(list(query.notUsers), message.users) &&
    anyOf(list(query.packages), message.packages) &&
    noneOf(list(query.notPackages), message.packages) &&
    anyOf(list(query.agents), agent) &&
    noneOf(list(query.notAgents), agent) &&
    (list(query.contains) === undefined || found.length > 0) &&
    notFound.length === 0
  );
}

/** Orders by (time, id), ascending or descending, as every store must. */
export function compareMessages(order: 'asc' | 'desc'): (a: ArchivedMessage, b: ArchivedMessage) => number {
  const sign = order === 'asc' ? 1 : -1;
  return (a, b) => {
    const byTime = a.envelope.time - b.envelope.time;
    if (byTime !== 0) return sign * byTime;
    return sign * (a.envelope.id < b.envelope.id ? -1 : a.envelope.id > b.envelope.id ? 1 : 0);
  };
}

/** Every message matching `query`, in its order, all pages. */
export function referenceFind(messages: readonly ArchivedMessage[], query: MessageQuery, now?: number): ArchivedMessage[] {
  return messages.filter((message) => referenceMatches(message, query, now)).sort(compareMessages(query.order ?? 'desc'));
}

/** The ids of the page `query.page` (offset paging) of {@link referenceFind}, and the total. */
export function referencePage(
  messages: readonly ArchivedMessage[],
  query: MessageQuery,
  now?: number,
): { ids: string[]; total: number; pages: number } {
  const all = referenceFind(messages, query, now);
  const rows = query.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE;
  const offset = ((query.page ?? 1) - 1) * rows;
  return {
    ids: all.slice(offset, offset + rows).map((message) => message.envelope.id),
    total: all.length,
    pages: Math.ceil(all.length / rows),
  };
}
