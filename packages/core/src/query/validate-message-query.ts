import { z } from 'zod';
import { QueryError } from '../errors/query-error.js';
import { MAX_ROWS_PER_PAGE, type MessageQuery } from '../contracts/message-query.js';

const time = z.number().int('must be whole milliseconds').nonnegative();
const values = z.array(z.string().min(1, 'values cannot be empty'));

const messageQuerySchema = z.strictObject({
  start: time.optional(),
  end: time.optional(),
  delta: z.number().int().positive('must be a positive number of milliseconds').optional(),
  topics: values.optional(),
  notTopics: values.optional(),
  categories: values.optional(),
  notCategories: values.optional(),
  users: values.optional(),
  notUsers: values.optional(),
  packages: values.optional(),
  notPackages: values.optional(),
  agents: values.optional(),
  notAgents: values.optional(),
  contains: values.optional(),
  notContains: values.optional(),
  containsCase: z.enum(['sensitive', 'insensitive']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  page: z.number().int().min(1, 'pages count from 1').optional(),
  rowsPerPage: z.number().int().min(1).max(MAX_ROWS_PER_PAGE, `at most ${MAX_ROWS_PER_PAGE}`).optional(),
  cursor: z.string().min(1, 'cannot be empty').optional(),
});

/**
 * Checks an untrusted value as a {@link MessageQuery}.
 *
 * @throws {QueryError} naming the first bad field: an unknown field, a wrong type, `end` before `start`,
 *   `rowsPerPage` out of range…
 */
export function validateMessageQuery(value: unknown): MessageQuery {
  const result = messageQuerySchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue === undefined) throw new QueryError('query', 'invalid');
    if (issue.code === 'unrecognized_keys') throw new QueryError(issue.keys[0] ?? 'query', 'unknown parameter');
    throw new QueryError(issue.path.map(String).join('.') || 'query', issue.message);
  }
  const query = result.data;
  if (query.start !== undefined && query.end !== undefined && query.end < query.start) {
    throw new QueryError('end', `end (${new Date(query.end).toISOString()}) is before start (${new Date(query.start).toISOString()})`);
  }
  return query;
}

/**
 * The time window a query asks for, `delta` applied: `[start, end)` with either side open.
 * With `delta` and no `start`, `end` defaults to `now`.
 */
export function queryWindow(query: MessageQuery, now: number = Date.now()): { start?: number; end?: number } {
  if (query.delta !== undefined && query.start === undefined) {
    const end = query.end ?? now;
    return { start: end - query.delta, end };
  }
  if (query.delta !== undefined && query.start !== undefined && query.end === undefined) {
    return { start: query.start, end: query.start + query.delta };
  }
  return {
    ...(query.start === undefined ? {} : { start: query.start }),
    ...(query.end === undefined ? {} : { end: query.end }),
  };
}
