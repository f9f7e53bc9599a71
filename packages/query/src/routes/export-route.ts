import { Readable } from 'node:stream';
import { MAX_ROWS_PER_PAGE, type MessagePage, type MessageQuery, type MessageStore } from '@statbus/core';
import type { FastifyInstance } from 'fastify';
import { recordShape } from '../format/record-shape.js';
import { parseParams, type RawParams } from '../params/parse-params.js';
import type { QueryServerOptions } from '../server/query-server-options.js';

async function* exportLines(store: MessageStore, query: MessageQuery, first: MessagePage, shape: (m: MessagePage['messages'][number]) => unknown): AsyncGenerator<string> {
  let page = first;
  for (;;) {
    yield page.messages.map((message) => `${JSON.stringify(shape(message))}\n`).join('');
    if (page.nextCursor === undefined) return;
    page = await store.find({ ...query, cursor: page.nextCursor });
  }
}

/**
 * `GET /export`: every matching message as NDJSON, any number of them in constant memory: keyset pages of
 * {@link MAX_ROWS_PER_PAGE} read one at a time as the client consumes them (backpressure). `X-Total-Count`
 * is the number of matches when the export started. A store failure after the first page ends the
 * response early (the client sees a truncated body, so compare the line count with `X-Total-Count`).
 */
export function registerExportRoute(app: FastifyInstance, options: QueryServerOptions): void {
  const { store, config } = options;
  app.get('/export', async (request, reply) => {
    const parsed = parseParams(request.query as RawParams, ['time', 'filters', 'export'], config.max_rows_per_page);
    const query: MessageQuery = { ...parsed.query, rowsPerPage: MAX_ROWS_PER_PAGE };
    const first = await store.find(query);
    const body = Readable.from(exportLines(store, query, first, recordShape(parsed.format, options.version)), { objectMode: false });
    body.on('error', (error) => options.logger?.warn({ err: error }, 'export ended early'));
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('x-total-count', String(first.total))
      .header('content-disposition', 'inline; filename="statbus-export.ndjson"')
      .send(body);
  });
}
