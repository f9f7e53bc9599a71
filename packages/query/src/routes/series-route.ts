import type { MetricsReader } from '@statbus/metrics';
import type { FastifyInstance } from 'fastify';
import { parseParams, type RawParams } from '../params/parse-params.js';
import type { QueryServerOptions } from '../server/query-server-options.js';
import { singleParam } from './stats-params.js';

/**
 * `GET /series?<any /raw filter>&interval=1h&start=&end=`: messages per bucket over the window, every bucket present
 * (zeros included), from the metrics' rollups when they cover the filter, otherwise one pass over the archive.
 */
export function registerSeriesRoute(app: FastifyInstance, options: QueryServerOptions, reader: MetricsReader): void {
  app.get('/series', async (request) => {
    const { interval: _interval, ...rest } = request.query as RawParams;
    const interval = singleParam(request.query as RawParams, 'interval');
    const parsed = parseParams(rest, ['time', 'filters'], options.config.max_rows_per_page);
    return reader.series(parsed.query, interval);
  });
}
