import type { ArchivedMessage, RetentionSelection, RollupCell } from '@statbus/core';
import { searchableText } from '../query/message-text.js';
import { topicPatternRegex } from './topic-pattern-regex.js';
import type { MongoFilter } from './to-mongo-filter.js';

/**
 * The documents a retention rule removes: `time` before `selection.before`, and (when given) a topic matching one of
 * the patterns and one of the categories. Pure, so that its meaning is checked by evaluating it (mingo) beside SQLite.
 */
export function pruneFilter(selection: RetentionSelection): MongoFilter {
  const filter: MongoFilter = { time: { $lt: selection.before } };
  const topics = selection.topics ?? [];
  if (topics.length > 0) {
    const regexes = topics.map(topicPatternRegex);
    // A pattern of only `#` matches every topic: the topic filter then selects everything.
    if (!regexes.includes(undefined)) filter['$or'] = regexes.map((source) => ({ topic: { $regex: source } }));
  }
  const categories = selection.categories ?? [];
  if (categories.length > 0) filter['category'] = { $in: [...categories] };
  return filter;
}

/** The `$set` (and `$unset`) of a redacted message: new headers, body, searchable text and keys; no signature, not verified. */
export function redactionUpdate(redacted: ArchivedMessage): MongoFilter {
  const { envelope } = redacted;
  const set: Record<string, unknown> = {
    headers: envelope.headers,
    body: envelope.body,
    text: searchableText(envelope.body),
    users: [...redacted.users],
    packages: [...redacted.packages],
  };
  const unset: Record<string, ''> = { signature: '', verified: '' };
  if (redacted.agent === undefined) unset['agent'] = '';
  else set['agent'] = redacted.agent;
  return { $set: set, $unset: unset };
}

/** The messages of one rollup cell's bucket (and key, for a plugin keyed by topic or category): where its maximum is found again. */
export function bucketFilter(cell: Pick<RollupCell, 'bucket' | 'key'>, intervalMs: number, key: string | null): MongoFilter {
  const filter: MongoFilter = { time: { $gte: cell.bucket, $lt: cell.bucket + intervalMs } };
  if (key === 'topic') filter['topic'] = cell.key;
  if (key === 'category') filter['category'] = cell.key;
  return filter;
}
