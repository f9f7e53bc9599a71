import { QueryError, validateMessageQuery, type MessageQuery } from '@statbus/core';
import { parseDelta, parseTime } from './parse-time.js';
import { DEFAULT_END_ONLY_DELTA_S, FILTER_PARAMETERS, META_VALUES, SIZE_VALUES, type FilterParameter } from './query-parameters.js';

/** A parsed query string: each key with one value or, when repeated, several. */
export type RawParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A `meta` value. */
export type MetaValue = (typeof META_VALUES)[number];

/** Parameters groups an endpoint may accept. */
export type ParameterGroup = 'time' | 'filters' | 'paging' | 'export' | 'catalogue' | 'id' | 'stream';

/** What a request asked for, checked. */
export interface ParsedParams {
  /** The store query (filters, time, paging); validated. */
  readonly query: MessageQuery;
  readonly meta: readonly MetaValue[];
  readonly grouped: boolean;
  readonly callback?: string;
  /** `/export`'s record shape. */
  readonly format: 'envelope' | 'v1' | 'v2';
  /** `/id`'s message id. */
  readonly id?: string;
  /** `/stream`'s resume position given as a parameter instead of the `Last-Event-ID` header. */
  readonly lastEventId?: string;
}

// Accepted everywhere so that datagrepper clients never break: presentation parameters (HTML cards in
// datagrepper, echoed here) and `_`, the cache buster jQuery adds to JSONP requests.
const PRESENTATION = ['meta', 'size', 'chrome', 'is_raw', 'callback', 'grouped', '_'];
const GROUPS: Readonly<Record<ParameterGroup, readonly string[]>> = {
  time: ['start', 'end', 'delta'],
  filters: [...Object.keys(FILTER_PARAMETERS), 'contains_case'],
  paging: ['page', 'rows_per_page', 'order', 'cursor'],
  export: ['order', 'format'],
  catalogue: ['category'],
  id: ['id'],
  stream: ['last_event_id', 'format'],
};
const CALLBACK = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/u;
const MAX_CALLBACK_LENGTH = 128;

function values(raw: RawParams, name: string): readonly string[] {
  const value = raw[name];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

function single(raw: RawParams, name: string): string | undefined {
  const given = values(raw, name);
  if (given.length > 1) throw new QueryError(name, 'given more than once; it takes one value');
  return given[0];
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/u.test(value.trim()) || Number(value) < 1) throw new QueryError(name, `must be a whole number from 1, got ${JSON.stringify(value.slice(0, 32))}`);
  return Number(value);
}

function flag(name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const text = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off', ''].includes(text)) return false;
  throw new QueryError(name, `must be true or false, got ${JSON.stringify(value.slice(0, 32))}`);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new QueryError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value.slice(0, 32))}`);
  return value as T;
}

/** Checks a JSONP callback name: a dotted JavaScript identifier path, nothing that could run as code. */
export function checkCallback(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > MAX_CALLBACK_LENGTH || !CALLBACK.test(value)) {
    throw new QueryError('callback', `must be a JavaScript identifier path (letters, digits, _, $ and dots), at most ${MAX_CALLBACK_LENGTH} characters`);
  }
  return value;
}

function timeQuery(raw: RawParams): Pick<MessageQuery, 'start' | 'end' | 'delta'> {
  const start = single(raw, 'start');
  const end = single(raw, 'end');
  const delta = single(raw, 'delta');
  const parsed = {
    ...(start === undefined ? {} : { start: parseTime('start', start) }),
    ...(end === undefined ? {} : { end: parseTime('end', end) }),
    ...(delta === undefined ? {} : { delta: parseDelta(delta) }),
  };
  // datagrepper: `end` alone means the 600 seconds before it.
  if (parsed.end !== undefined && parsed.start === undefined && parsed.delta === undefined) return { ...parsed, delta: DEFAULT_END_ONLY_DELTA_S * 1000 };
  return parsed;
}

/**
 * Reads datagrepper's parameters for an endpoint accepting `groups` (presentation parameters are accepted
 * everywhere). Filters repeat (`?user=a&user=b`); every other parameter takes one value.
 *
 * @throws {QueryError} naming the parameter: unknown, repeated, a bad time, `end` before `start`,
 *   `rows_per_page` over `maxRowsPerPage`, a bad `order`, `meta` value or `callback`…
 */
export function parseParams(raw: RawParams, groups: readonly ParameterGroup[], maxRowsPerPage: number): ParsedParams {
  const allowed = new Set([...PRESENTATION, ...groups.flatMap((group) => GROUPS[group])]);
  for (const name of Object.keys(raw)) {
    if (!allowed.has(name)) throw new QueryError(name, `unknown parameter; this endpoint accepts ${[...allowed].filter((p) => p !== '_').join(', ')}`);
  }
  const query: Record<string, unknown> = groups.includes('time') ? timeQuery(raw) : {};
  for (const [parameter, field] of Object.entries(FILTER_PARAMETERS) as [FilterParameter, string][]) {
    const given = values(raw, parameter);
    if (given.length > 0) query[field] = [...given];
  }
  const containsCase = oneOf('contains_case', single(raw, 'contains_case'), ['sensitive', 'insensitive'] as const);
  if (containsCase !== undefined) query['containsCase'] = containsCase;
  if (groups.includes('catalogue') && values(raw, 'category').length > 0) query['categories'] = [...values(raw, 'category')];
  const rowsPerPage = positiveInteger('rows_per_page', single(raw, 'rows_per_page'));
  if (rowsPerPage !== undefined && rowsPerPage > maxRowsPerPage) {
    throw new QueryError('rows_per_page', `at most ${maxRowsPerPage} (use cursor to walk further, or /export for everything)`);
  }
  const page = positiveInteger('page', single(raw, 'page'));
  const order = oneOf('order', single(raw, 'order'), ['asc', 'desc'] as const);
  const cursor = single(raw, 'cursor');
  if (rowsPerPage !== undefined) query['rowsPerPage'] = rowsPerPage;
  if (page !== undefined) query['page'] = page;
  if (order !== undefined) query['order'] = order;
  if (cursor !== undefined) query['cursor'] = cursor;
  const meta = values(raw, 'meta').flatMap((value) => value.split(',')).filter((value) => value !== '');
  for (const value of meta) oneOf('meta', value, META_VALUES);
  oneOf('size', single(raw, 'size'), SIZE_VALUES);
  flag('chrome', single(raw, 'chrome'));
  flag('is_raw', single(raw, 'is_raw'));
  const callback = checkCallback(single(raw, 'callback'));
  const id = single(raw, 'id');
  const lastEventId = single(raw, 'last_event_id');
  return {
    query: validateMessageQuery(query),
    meta: [...new Set(meta)] as MetaValue[],
    grouped: flag('grouped', single(raw, 'grouped')),
    format: oneOf('format', single(raw, 'format'), ['envelope', 'v1', 'v2'] as const) ?? 'envelope',
    ...(callback === undefined ? {} : { callback }),
    ...(id === undefined ? {} : { id }),
    ...(lastEventId === undefined ? {} : { lastEventId }),
  };
}
