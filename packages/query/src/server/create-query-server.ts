import cors from '@fastify/cors';
import { silentLogger } from '@statbus/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerCatalogueRoutes } from '../routes/catalogue-routes.js';
import { registerExportRoute } from '../routes/export-route.js';
import { registerMetaRoutes } from '../routes/meta-routes.js';
import { registerSearchRoutes } from '../routes/search-routes.js';
import { registerStreamRoute } from '../routes/stream-route.js';
import { errorHandler } from './http-errors.js';
import { registerJsonp } from './jsonp.js';
import type { QueryServerOptions } from './query-server-options.js';
import { ResponseCache } from './response-cache.js';

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
  });
  const origins = options.config.cors_origins;
  if (origins.length > 0) void app.register(cors, { origin: origins.includes('*') ? '*' : [...origins], methods: ['GET', 'HEAD', 'OPTIONS'] });
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` }));
  registerJsonp(app);
  const withLogger = { ...options, logger };
  const cache = new ResponseCache(options.store, options.config.cache_entries);
  registerSearchRoutes(app, withLogger, cache);
  registerCatalogueRoutes(app, withLogger, cache);
  registerExportRoute(app, withLogger);
  const stream = registerStreamRoute(app, withLogger);
  registerMetaRoutes(app, withLogger);
  app.addHook('preClose', (done) => {
    stream.close();
    done();
  });
  return app;
}
