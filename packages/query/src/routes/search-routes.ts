import { DEFAULT_ROWS_PER_PAGE, QueryError, findsStoredJson, queryWindow, type ArchivedMessage, type JsonValue, type MessagePage, type MessageQuery, type MessageStore, type StoredJsonPage, type StoredMessageJson } from '@statbus/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { conglomerate } from '../format/conglomerate.js';
import { v1StoredJson, v2StoredJson } from '../format/message-json.js';
import { toV1Message } from '../format/v1-message.js';
import { toV2Message } from '../format/v2-message.js';
import { parseParams, type MetaValue, type ParsedParams, type RawParams } from '../params/parse-params.js';
import { FILTER_PARAMETERS } from '../params/query-parameters.js';
import { NotFoundError } from '../server/http-errors.js';
import { useJsonp } from '../server/jsonp.js';
import type { QueryServerOptions } from '../server/query-server-options.js';
import { ResponseCache } from '../server/response-cache.js';

type Shape = (message: ArchivedMessage, meta: readonly MetaValue[]) => unknown;

/** How {@link searchBody}'s JSON starts when it holds no message. */
const EMPTY_MESSAGES = '{"raw_messages":[],';

/** datagrepper's `arguments`: every parameter with the value used (defaults filled in, times in seconds). */
export function searchArguments(parsed: ParsedParams, page: MessagePage, now: number): Record<string, JsonValue> {
  const { query } = parsed;
  const window = queryWindow(query, now);
  const args: Record<string, JsonValue> = {
    start: window.start === undefined ? null : window.start / 1000,
    end: window.end === undefined ? null : window.end / 1000,
    delta: query.delta === undefined ? null : query.delta / 1000,
    page: page.page,
    rows_per_page: page.rowsPerPage,
    order: query.order ?? 'desc',
    meta: [...parsed.meta],
    grouped: parsed.grouped,
    cursor: query.cursor ?? null,
  };
  // statbus's own parameter, echoed only when given: datagrepper's arguments stay as they were.
  if (query.containsCase !== undefined) args['contains_case'] = query.containsCase;
  for (const [parameter, field] of Object.entries(FILTER_PARAMETERS)) {
    // datagrepper names the lists in the plural: users, not_users, contains, not_contains…
    const name = parameter.endsWith('contains') ? parameter : `${parameter.replace('category', 'categorie')}s`;
    args[name] = [...((query as Record<string, unknown>)[field] as readonly string[] | undefined ?? [])];
  }
  return args;
}

/** The body of `/raw` and `/v2/search`: datagrepper's keys plus `next_cursor` (`count` = entries on this page: messages, or groups with `grouped`). */
export function searchBody(parsed: ParsedParams, page: MessagePage, shape: Shape, now: number): Record<string, unknown> {
  // datagrepper: `grouped` replaces the messages by conglomerates and ignores `meta`.
  const messages = parsed.grouped ? conglomerate(page.messages, (message) => shape(message, [])) : page.messages.map((message) => shape(message, parsed.meta));
  return {
    raw_messages: messages,
    count: messages.length,
    pages: page.pages,
    total: page.total,
    arguments: searchArguments(parsed, page, now),
    next_cursor: page.nextCursor ?? null,
  };
}

/** The answer's shape: datagrepper's v1 (`/raw`) or fedora-messaging's v2 (`/v2/search`). */
export type SearchShape = 'v1' | 'v2';

/**
 * `JSON.stringify(searchBody(parsed, page, shape, now))` for a page of stored messages, each written by `json`
 * (its text in the same shape, made from the stored JSON).
 */
export function searchJson(parsed: ParsedParams, page: StoredJsonPage, shape: Shape, json: (stored: StoredMessageJson) => string, now: number): string {
  const messages = page.messages.map(json);
  const rest = searchBody(parsed, { ...page, messages: [] }, shape, now);
  rest['count'] = messages.length;
  return `{"raw_messages":[${messages.join(',')}],${JSON.stringify(rest).slice(EMPTY_MESSAGES.length)}`;
}

/**
 * The JSON answer of `/raw` (v1) or `/v2/search` (v2) for `parsed` (its query with the page size filled in as
 * `query`). A store that gives its stored JSON ({@link findsStoredJson}) is asked for it when the messages are
 * only written again (no `meta`, not `grouped`): they are then not parsed and serialised again.
 */
export async function searchAnswer(store: MessageStore, parsed: ParsedParams, query: MessageQuery, shape: SearchShape, sourceVersion?: string): Promise<string> {
  const now = Date.now();
  const objects: Shape = shape === 'v1' ? (message, meta) => toV1Message(message, meta, sourceVersion) : (message, meta) => toV2Message(message, meta);
  if (parsed.meta.length > 0 || parsed.grouped || !findsStoredJson(store)) return JSON.stringify(searchBody(parsed, await store.find(query), objects, now));
  const json = shape === 'v1' ? (stored: StoredMessageJson) => v1StoredJson(stored, sourceVersion) : v2StoredJson;
  return searchJson(parsed, await store.findStoredJson(query), objects, json, now);
}

/** The cache key of a request: its path and parameters, JSONP's aside (they only wrap the answer). */
export function requestKey(request: FastifyRequest): string {
  const params = Object.entries(request.query as RawParams)
    .filter(([name]) => name !== 'callback' && name !== '_')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${request.routeOptions.url ?? request.url}?${JSON.stringify(params)}`;
}

/** Sends an answer the {@link ResponseCache} serialised. */
export function sendJson(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}

/** `GET /raw`, `GET /v2/search`, `GET /id`, `GET /v2/id`. */
export function registerSearchRoutes(app: FastifyInstance, options: QueryServerOptions, cache: ResponseCache): void {
  const { store, config } = options;
  const v1: Shape = (message, meta) => toV1Message(message, meta, options.version);
  const v2: Shape = (message, meta) => toV2Message(message, meta);
  const search = (shape: SearchShape) => async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = parseParams(request.query as RawParams, ['time', 'filters', 'paging'], config.max_rows_per_page);
    useJsonp(request, parsed.callback);
    const query: MessageQuery = { ...parsed.query, rowsPerPage: parsed.query.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE };
    const compute = (): Promise<string> => searchAnswer(store, parsed, query, shape, options.version);
    if (!ResponseCache.cacheable(query)) return sendJson(reply, await compute());
    return sendJson(reply, await cache.answerJson(requestKey(request), compute));
  };
  const byId = (shape: Shape) => async (request: { query: unknown }) => {
    const parsed = parseParams(request.query as RawParams, ['id'], config.max_rows_per_page);
    useJsonp(request as never, parsed.callback);
    if (parsed.id === undefined || parsed.id === '') throw new QueryError('id', 'missing: give the message id, e.g. /id?id=2024-…');
    const message = await store.get(parsed.id);
    if (message === undefined) throw new NotFoundError('id', `no message with id ${JSON.stringify(parsed.id.slice(0, 100))}`);
    return shape(message, parsed.meta);
  };
  app.get('/raw', search('v1'));
  app.get('/v2/search', search('v2'));
  app.get('/id', byId(v1));
  app.get('/v2/id', byId(v2));
}
