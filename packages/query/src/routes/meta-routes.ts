import type { FastifyInstance } from 'fastify';
import { docsPage } from '../server/docs-page.js';
import { openApiDocument } from '../server/openapi-document.js';
import type { QueryServerOptions } from '../server/query-server-options.js';

/** How long `/ready` waits for the store (ms). */
export const READY_TIMEOUT_MS = 2000;

/** `GET /live`, `GET /ready`, `GET /openapi.json`, `GET /docs` (`/` is the dashboard). */
export function registerMetaRoutes(app: FastifyInstance, options: QueryServerOptions): void {
  const { store, config } = options;
  const document = openApiDocument(options.version ?? '0', config.max_rows_per_page);
  const page = docsPage(config.max_rows_per_page);
  app.get('/live', () => ({ status: 'live' }));
  app.get('/ready', async (_request, reply) => {
    const report = options.readiness?.();
    if (report !== undefined) {
      return reply.code(report.ready ? 200 : 503).send({ ...report, status: report.ready ? 'ready' : 'unavailable' });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.count({}, { estimate: true }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
        }),
      ]);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', error: 'store_unavailable', message: 'the message store does not answer' });
    } finally {
      clearTimeout(timer);
    }
  });
  app.get('/openapi.json', () => document);
  app.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
}
