import { PluginError, type MetricsReader, type StatsPage } from '@statbus/metrics';
import { QueryError } from '@statbus/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawParams } from '../params/parse-params.js';
import type { QueryServerOptions } from '../server/query-server-options.js';
import { countParam, onlyParams, repeatedParam, singleParam, windowParams } from './stats-params.js';

const STATS_PARAMS = ['interval', 'start', 'end', 'delta', 'key', 'page', 'rows_per_page', 'order', 'output'];
const TOP_PARAMS = ['start', 'end', 'delta', 'limit'];
const MAX_STATS_ROWS_PER_PAGE = 10_000;
const MAX_TOP = 1000;

function csvCell(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : value === null || value === undefined ? '' : JSON.stringify(value);
  return /[",\n\r]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The page as CSV: a header `time,key,<fields>` and one line per row. */
export function statsCsv(page: StatsPage, fields: readonly string[]): string {
  const columns = ['time', 'key', ...fields];
  const lines = [columns.join(',')];
  for (const row of page.rows) lines.push(columns.map((column) => csvCell((row as Record<string, unknown>)[column])).join(','));
  return `${lines.join('\n')}\n`;
}

function wantsCsv(request: FastifyRequest, output: string | undefined): boolean {
  if (output !== undefined) {
    if (output !== 'csv' && output !== 'json') throw new QueryError('output', `must be csv or json, got ${JSON.stringify(output.slice(0, 16))}`);
    return output === 'csv';
  }
  const accept = String(request.headers.accept ?? '');
  return /\btext\/csv\b/u.test(accept) && !/\bapplication\/json\b/u.test(accept.split('text/csv')[0] ?? '');
}

/** 404 with the list of plugins for an unknown one; anything else goes to the server's error handler. */
function unknownPlugin(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof PluginError && error.known.length > 0) {
    return reply.code(404).send({ error: 'not_found', parameter: 'plugin', message: error.message, plugins: error.known });
  }
  throw error;
}

/**
 * `GET /stats/` (the plugins), `GET /stats/<plugin>` (a plugin's rows by bucket and key, paged; CSV with
 * `Accept: text/csv` or `output=csv`) and `GET /stats/<plugin>/top` (keys ranked over a window).
 */
export function registerStatsRoutes(app: FastifyInstance, options: QueryServerOptions, reader: MetricsReader): void {
  void options;
  app.get('/stats', () => ({ plugins: reader.catalog.describe() }));
  app.get('/stats/:plugin', async (request, reply) => {
    const { plugin } = request.params as { plugin: string };
    const raw = request.query as RawParams;
    try {
      reader.catalog.get(plugin);
    } catch (error) {
      return unknownPlugin(reply, error);
    }
    onlyParams(raw, STATS_PARAMS);
    const window = windowParams(raw);
    const order = singleParam(raw, 'order');
    if (order !== undefined && order !== 'asc' && order !== 'desc') throw new QueryError('order', `must be asc or desc, got ${JSON.stringify(order.slice(0, 16))}`);
    const keys = repeatedParam(raw, 'key');
    const interval = singleParam(raw, 'interval');
    const page = countParam(raw, 'page', 1_000_000_000);
    const rowsPerPage = countParam(raw, 'rows_per_page', MAX_STATS_ROWS_PER_PAGE);
    const csv = wantsCsv(request, singleParam(raw, 'output'));
    const answer = await reader.stats(plugin, {
      ...window,
      ...(interval === undefined ? {} : { interval }),
      ...(keys.length === 0 ? {} : { keys }),
      ...(page === undefined ? {} : { page }),
      ...(rowsPerPage === undefined ? {} : { rowsPerPage }),
      ...(order === undefined ? {} : { order }),
    });
    if (csv) return reply.type('text/csv; charset=utf-8').send(statsCsv(answer, reader.catalog.get(plugin).plugin.fields));
    return answer;
  });
  app.get('/stats/:plugin/top', async (request, reply) => {
    const { plugin } = request.params as { plugin: string };
    const raw = request.query as RawParams;
    try {
      reader.catalog.get(plugin);
    } catch (error) {
      return unknownPlugin(reply, error);
    }
    onlyParams(raw, TOP_PARAMS);
    const window = windowParams(raw);
    const limit = countParam(raw, 'limit', MAX_TOP) ?? 10;
    const rows = await reader.top(plugin, { ...window, limit });
    return { plugin, start: window.start === undefined ? null : window.start / 1000, end: window.end === undefined ? null : window.end / 1000, rows };
  });
}
