import { QueryError, TopicError, compilePatterns, type ArchivedMessage, type MessageQuery, type TopicMatcher } from '@statbus/core';

function present(values: readonly string[] | undefined): readonly string[] | undefined {
  return values === undefined || values.length === 0 ? undefined : values;
}

/** Compiles one filter's patterns; a pattern outside the grammar is the client's mistake, named by its field. */
function compileField(query: MessageQuery, field: 'topics' | 'notTopics'): TopicMatcher | undefined {
  const patterns = present(query[field]);
  if (patterns === undefined) return undefined;
  try {
    return compilePatterns(patterns);
  } catch (error) {
    if (error instanceof TopicError) throw new QueryError(field, error.message);
    throw error;
  }
}

/**
 * The filters of a query (not its time or paging) as a predicate over one message, with the stores'
 * semantics: values OR-ed, filters AND-ed, `not*` excluding, topic patterns AMQP-style, `contains` a
 * substring of the body's JSON text, case-sensitive unless `containsCase` is `insensitive`. Compiled once per query.
 *
 * @throws {QueryError} naming `topics` or `notTopics` for a pattern outside the grammar.
 */
export function compileQueryFilter(query: MessageQuery): (message: ArchivedMessage) => boolean {
  const topics = compileField(query, 'topics');
  const notTopics = compileField(query, 'notTopics');
  const insensitive = query.containsCase === 'insensitive';
  const fold = (text: string): string => (insensitive ? text.toLowerCase() : text);
  const contains = present(query.contains)?.map(fold);
  const notContains = present(query.notContains)?.map(fold);
  const anyOf = (wanted: readonly string[] | undefined, have: readonly string[]): boolean =>
    present(wanted) === undefined || (wanted ?? []).some((value) => have.includes(value));
  const noneOf = (unwanted: readonly string[] | undefined, have: readonly string[]): boolean =>
    !(unwanted ?? []).some((value) => have.includes(value));
  return (message) => {
    const { envelope } = message;
    if (topics !== undefined && !topics.test(envelope.topic)) return false;
    if (notTopics?.test(envelope.topic) === true) return false;
    const agent = message.agent === undefined ? [] : [message.agent];
    if (!anyOf(query.categories, [message.category]) || !noneOf(query.notCategories, [message.category])) return false;
    if (!anyOf(query.users, message.users) || !noneOf(query.notUsers, message.users)) return false;
    if (!anyOf(query.packages, message.packages) || !noneOf(query.notPackages, message.packages)) return false;
    if (!anyOf(query.agents, agent) || !noneOf(query.notAgents, agent)) return false;
    if (contains === undefined && notContains === undefined) return true;
    const text = fold(JSON.stringify(envelope.body));
    if (contains !== undefined && !contains.some((needle) => text.includes(needle))) return false;
    return notContains === undefined || !notContains.some((needle) => text.includes(needle));
  };
}
