import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** `GET /metrics`: the Prometheus text exposition of `registry` (archive totals, rollups, process metrics). */
export function registerPrometheusRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}
