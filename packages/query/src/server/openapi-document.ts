import { FILTER_PARAMETERS, META_VALUES } from '../params/query-parameters.js';

type Parameter = Record<string, unknown>;

const param = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }, repeat = false): Parameter => ({
  name,
  in: 'query',
  description,
  required: false,
  ...(repeat ? { schema: { type: 'array', items: schema }, style: 'form', explode: true } : { schema }),
});

const time = [
  param('start', 'Inclusive start: epoch seconds (fractional allowed) or ISO 8601.'),
  param('end', 'Exclusive end: epoch seconds or ISO 8601. Alone, it means the 600 seconds before it (datagrepper).'),
  param('delta', 'Window length in seconds: before `end` (default now), or after `start`.', { type: 'number', exclusiveMinimum: 0 }),
];
const filters = [
  ...Object.keys(FILTER_PARAMETERS).map((name) =>
    param(name, `${name.startsWith('not_') ? 'Exclude' : 'Match'} messages by ${name.replace('not_', '')}; repeat to give several (OR-ed).`, { type: 'string' }, true),
  ),
  param('contains_case', 'How `contains` and `not_contains` match letters: exactly (datagrepper\'s way) or ignoring case.', { type: 'string', enum: ['sensitive', 'insensitive'], default: 'sensitive' }),
];
const presentation = [
  param('meta', `Add fedmsg.meta fields to each message: ${META_VALUES.join(', ')} (link and icons only from URLs the message carries, else null).`, { type: 'string', enum: [...META_VALUES] }, true),
  param('callback', 'JSONP: wrap the answer in this function (a JavaScript identifier path).'),
  param('grouped', 'Group the page\'s messages by topic and actor (datagrepper\'s conglomerates); `count` becomes the number of groups.', { type: 'boolean' }),
  param('chrome', 'Checked as datagrepper does; no effect (datagrepper uses it only for HTML cards; statbus answers JSON).', { type: 'boolean' }),
  param('is_raw', 'Checked as datagrepper does; no effect (HTML cards only in datagrepper).', { type: 'boolean' }),
  param('size', 'Checked as datagrepper does; no effect (HTML card size in datagrepper).', { type: 'string', enum: ['small', 'medium', 'large', 'extra-large'] }),
];
const paging = (maxRows: number): Parameter[] => [
  param('page', '1-based page number (offset paging; prefer cursor for deep pages).', { type: 'integer', minimum: 1 }),
  param('rows_per_page', `Messages per page, 1..${maxRows}; default 25.`, { type: 'integer', minimum: 1, maximum: maxRows }),
  param('order', 'By time, then id.', { type: 'string', enum: ['asc', 'desc'], default: 'desc' }),
  param('cursor', 'The `next_cursor` of the previous page, given back unchanged with the same filters.'),
];
const format = param('format', 'Record shape.', { type: 'string', enum: ['envelope', 'v1', 'v2'], default: 'envelope' });
const error = { description: 'Bad parameter: `{error, parameter, message}`.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const unavailable = { description: 'The store does not answer.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const json = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const page = { type: 'object', required: ['raw_messages', 'count', 'pages', 'total', 'arguments', 'next_cursor'], properties: {
  raw_messages: { type: 'array', items: { type: 'object' } }, count: { type: 'integer' }, pages: { type: 'integer' }, total: { type: 'integer' },
  arguments: { type: 'object' }, next_cursor: { type: ['string', 'null'] } } };

/** The OpenAPI 3.1 description of the API, served at `/openapi.json`. */
export function openApiDocument(version: string, maxRows: number): Record<string, unknown> {
  const search = (summary: string) => ({ get: { summary, parameters: [...time, ...filters, ...paging(maxRows), ...presentation], responses: { 200: json('A page of messages', page), 400: error, 503: unavailable } } });
  const byId = (summary: string) => ({ get: { summary, parameters: [{ ...param('id', 'The message id.'), required: true }, ...presentation], responses: { 200: json('The message'), 404: json('No such message'), 503: unavailable } } });
  return {
    openapi: '3.1.0',
    info: { title: 'statbus query API', version, description: 'datagrepper-compatible HTTP API over the statbus archive, plus topics, counts, NDJSON export and live Server-Sent Events.' },
    paths: {
      '/raw': search('Search messages (datagrepper v1 shape)'),
      '/v2/search': search('Search messages (fedora-messaging shape)'),
      '/id': byId('One message (v1 shape)'),
      '/v2/id': byId('One message (fedora-messaging shape)'),
      '/topics': { get: { summary: 'Topic catalogue: count, first and last seen', parameters: [param('category', 'Only these categories.', { type: 'string' }, true), ...time, ...presentation], responses: { 200: json('Topics'), 400: error, 503: unavailable } } },
      '/count': { get: { summary: 'Number of matching messages', parameters: [...time, ...filters, ...presentation], responses: { 200: json('Count', { type: 'object', properties: { count: { type: 'integer' }, exact: { type: 'boolean' } } }), 400: error, 503: unavailable } } },
      '/export': { get: { summary: 'Every matching message as NDJSON (streamed, any size)', parameters: [...time, ...filters, paging(maxRows)[2] as Parameter, format], responses: { 200: { description: 'NDJSON', content: { 'application/x-ndjson': {} } }, 400: error, 503: unavailable } } },
      '/stream': { get: { summary: 'Live Server-Sent Events of newly archived matching messages; resumable with Last-Event-ID', parameters: [...filters, format, param('last_event_id', 'Resume after this event id (instead of the Last-Event-ID header).')], responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } }, 400: error, 503: unavailable } } },
      '/': { get: { summary: 'The dashboard: an HTML page over /stats, /series and /stream (its files under /dashboard/)', responses: { 200: { description: 'text/html', content: { 'text/html': {} } } } } },
      '/live': { get: { summary: 'The process answers', responses: { 200: json('Live') } } },
      '/ready': { get: { summary: 'The store answers', responses: { 200: json('Ready'), 503: unavailable } } },
    },
    components: { schemas: { Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, parameter: { type: 'string' }, message: { type: 'string' } } } } },
  };
}
