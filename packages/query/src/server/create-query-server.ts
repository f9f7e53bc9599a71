import cors from '@fastify/cors';
import { hasRollups, silentLogger } from '@statbus/core';
import { BUILT_IN_PLUGINS, MetricsCatalog, MetricsReader, createPrometheusRegistry, createRollupCorrection } from '@statbus/metrics';
import { readAdminToken } from '../admin/admin-token.js';
import { registerAdminRoutes } from '../admin/admin-routes.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerDashboardRoutes } from '../dashboard/dashboard-routes.js';
import { registerCatalogueRoutes } from '../routes/catalogue-routes.js';
import { registerExportRoute } from '../routes/export-route.js';
import { registerMetaRoutes } from '../routes/meta-routes.js';
import { registerSearchRoutes } from '../routes/search-routes.js';
import { registerPrometheusRoute } from '../routes/prometheus-route.js';
import { registerSeriesRoute } from '../routes/series-route.js';
import { registerStatsRoutes } from '../routes/stats-routes.js';
import { registerStreamRoute } from '../routes/stream-route.js';
import { errorHandler, type ErrorBody } from './http-errors.js';
import { registerJsonp } from './jsonp.js';
import { answerConnect, clientErrorHandler } from './raw-http-errors.js';
import type { QueryServerOptions } from './query-server-options.js';
import { ResponseCache } from './response-cache.js';

const ALLOW = 'GET, HEAD, OPTIONS';

/**
 * Builds the query API (datagrepper's role) over `options.store` as a Fastify instance, not yet listening:
 * call `listen({ host, port })`, or `inject()` in tests. Closing it ends open `/stream` responses; it
 * never closes the store.
 */
export function createQueryServer(options: QueryServerOptions): FastifyInstance {
  const logger = options.logger ?? silentLogger;
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true },
    // `/stream` responses never end on their own: closing the server must not wait for them.
    forceCloseConnections: true,
    clientErrorHandler,
    // The request line (the URL) counts towards it: too long a URL or too many headers answer 431.
    http: { maxHeaderSize: options.config.max_header_bytes },
  });
  answerConnect(app.server);
  const origins = options.config.cors_origins;
  if (origins.length > 0) void app.register(cors, { origin: origins.includes('*') ? '*' : [...origins], methods: ['GET', 'HEAD', 'OPTIONS'], strictPreflight: false });
  app.setErrorHandler(errorHandler(logger));
  // datagrepper answers 405 to a POST on /raw and /id: every path here is read with GET (or HEAD) only.
  const readPaths = new Set<string>();
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().includes('GET')) readPaths.add(route.url.replace(/\/$/u, '') || '/');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const known = readPaths.has(path.replace(/\/$/u, '') || '/');
    if (known && request.method === 'OPTIONS') return reply.code(204).header('allow', ALLOW).send();
    if (known && request.method !== 'GET' && request.method !== 'HEAD') {
      return reply.code(405).header('allow', ALLOW).send({ error: 'method_not_allowed', message: `${request.method} ${path}: use GET (parameters in the query string)` } satisfies ErrorBody);
    }
    return reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${path}` } satisfies ErrorBody);
  });
  // No route takes a body: whatever a client sends with another method is not read, so that it gets its 405.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  registerJsonp(app);
  const withLogger = { ...options, logger };
  const cache = new ResponseCache(options.store, options.config.cache_entries);
  registerSearchRoutes(app, withLogger, cache);
  registerCatalogueRoutes(app, withLogger, cache);
  registerExportRoute(app, withLogger);
  const stream = registerStreamRoute(app, withLogger);
  registerMetaRoutes(app, withLogger);
  const metrics = options.metrics ?? (hasRollups(options.store) ? new MetricsReader(options.store, new MetricsCatalog(BUILT_IN_PLUGINS)) : undefined);
  if (metrics !== undefined) {
    registerStatsRoutes(app, withLogger, metrics);
    registerSeriesRoute(app, withLogger, metrics);
  }
  registerPrometheusRoute(app, options.prometheus ?? createPrometheusRegistry({ store: options.store, ...(metrics === undefined ? {} : { catalog: metrics.catalog }) }));
  registerDashboardRoutes(app);
  // Read-only unless a token is configured: without one the admin endpoints do not exist.
  const token = options.adminToken ?? readAdminToken(options.config, options.cwd);
  if (token !== undefined) {
    const maintenance = metrics === undefined ? {} : { maintenance: { rollups: createRollupCorrection(metrics.catalog) } };
    registerAdminRoutes(app, { store: options.store, token, logger, onChange: () => cache.clear(), ...maintenance });
  }
  app.addHook('preClose', (done) => {
    stream.close();
    done();
  });
  return app;
}
