import { queryWindow } from '@statbus/core';
import type { FastifyInstance } from 'fastify';
import { parseParams, type RawParams } from '../params/parse-params.js';
import { useJsonp } from '../server/jsonp.js';
import type { QueryServerOptions } from '../server/query-server-options.js';
import { ResponseCache } from '../server/response-cache.js';
import { requestKey, sendJson } from './search-routes.js';

const FILTER_FIELDS = ['topics', 'notTopics', 'categories', 'notCategories', 'users', 'notUsers', 'packages', 'notPackages', 'agents', 'notAgents', 'contains', 'notContains', 'start', 'end', 'delta'];

/** `GET /topics` (the catalogue) and `GET /count`. */
export function registerCatalogueRoutes(app: FastifyInstance, options: QueryServerOptions, cache: ResponseCache): void {
  const { store, config } = options;
  app.get('/topics', async (request, reply) => {
    const parsed = parseParams(request.query as RawParams, ['time', 'catalogue'], config.max_rows_per_page);
    useJsonp(request, parsed.callback);
    const compute = async (): Promise<unknown> => {
      const window = queryWindow(parsed.query);
      const topics = await store.topics({
        ...(parsed.query.categories === undefined ? {} : { categories: parsed.query.categories }),
        ...window,
      });
      return {
        topics: topics.map((topic) => ({
          topic: topic.topic,
          category: topic.category,
          count: topic.count,
          first_seen: topic.firstSeen / 1000,
          last_seen: topic.lastSeen / 1000,
        })),
        total: topics.length,
      };
    };
    if (!ResponseCache.cacheable(parsed.query)) return compute();
    return sendJson(reply, await cache.answer(requestKey(request), compute));
  });
  app.get('/count', async (request, reply) => {
    const parsed = parseParams(request.query as RawParams, ['time', 'filters'], config.max_rows_per_page);
    useJsonp(request, parsed.callback);
    const filtered = FILTER_FIELDS.some((field) => (parsed.query as Record<string, unknown>)[field] !== undefined);
    const compute = async (): Promise<unknown> => {
      const result = await store.count(parsed.query, { estimate: !filtered });
      return { count: result.count, exact: result.exact };
    };
    if (!filtered || !ResponseCache.cacheable(parsed.query)) return compute();
    return sendJson(reply, await cache.answer(requestKey(request), compute));
  });
}
