import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { StoreError, type ArchiveChange, type MessageStore } from '@statbus/core';
import type { FastifyInstance } from 'fastify';
import { recordShape } from '../format/record-shape.js';
import { parseParams, type RawParams } from '../params/parse-params.js';
import type { QueryServerOptions } from '../server/query-server-options.js';
import { ChangeNotifier } from '../stream/change-notifier.js';
import { compileQueryFilter } from '../stream/matches-query.js';

/** Changes read per store call while catching up. */
export const STREAM_BATCH = 500;
/** A comment line is sent this often so that proxies keep the connection open (ms). */
export const STREAM_KEEPALIVE_MS = 15_000;
/** What a client's EventSource waits before reconnecting (ms). */
export const STREAM_RETRY_MS = 2000;

/**
 * `GET /stream`: Server-Sent Events of messages archived after the client connected (or after its
 * `Last-Event-ID`), matching the filters. Each event's id is the store's change position; an id-only block
 * advances it past filtered-out messages, so a reconnect rescans nothing twice and misses nothing.
 */
export function registerStreamRoute(app: FastifyInstance, options: QueryServerOptions): { close(): void } {
  const { store, config } = options;
  const notifier = new ChangeNotifier(store, config.poll_interval_ms, options.logger);
  const closing = new AbortController();
  let clients = 0;

  app.get('/stream', async (request, reply) => {
    const parsed = parseParams(request.query as RawParams, ['filters', 'stream'], config.max_rows_per_page);
    // Before anything is opened: a bad pattern is a 400 naming its parameter, as on /raw.
    const accept = compileQueryFilter(parsed.query);
    if (clients >= config.max_stream_clients) {
      return reply.code(503).send({ error: 'too_many_streams', message: `at most ${config.max_stream_clients} streams at once` });
    }
    const header = request.headers['last-event-id'];
    const resume = parsed.lastEventId ?? (typeof header === 'string' && header !== '' ? header : undefined);
    const start = resume ?? (await store.changesHead());
    const first = await store.changes(start, STREAM_BATCH);
    const shape = recordShape(parsed.format, options.version);
    const out = new PassThrough();
    const stop = new AbortController();
    const onClose = (): void => stop.abort();
    closing.signal.addEventListener('abort', onClose, { once: true });
    reply.raw.once('close', onClose);
    clients += 1;
    const keepalive = setInterval(() => out.write(': keepalive\n\n'), STREAM_KEEPALIVE_MS);
    keepalive.unref();
    out.write(`retry: ${STREAM_RETRY_MS}\n: statbus stream from ${start}\n\n`);

    const send = async (changes: readonly ArchiveChange[], position: string): Promise<void> => {
      let text = '';
      let lastId: string | undefined;
      for (const change of changes) {
        if (!accept(change.message)) continue;
        text += `id: ${change.position}\nevent: message\ndata: ${JSON.stringify(shape(change.message))}\n\n`;
        lastId = change.position;
      }
      if (changes.length > 0 && lastId !== position) text += `id: ${position}\n\n`;
      if (text !== '' && !out.write(text)) await once(out, 'drain', { signal: stop.signal });
    };
    const pump = async (): Promise<void> => {
      let batch = first;
      for (;;) {
        await send(batch.changes, batch.position);
        if (stop.signal.aborted) return;
        if (batch.changes.length < STREAM_BATCH) await notifier.wait(batch.position, stop.signal);
        if (stop.signal.aborted) return;
        batch = await readChanges(store, batch.position, stop.signal, config.poll_interval_ms, (error) =>
          out.write(`event: error\ndata: ${JSON.stringify({ error: 'store_unavailable', message: (error as Error).message })}\n\n`),
        );
      }
    };
    void pump()
      .catch((error: unknown) => {
        if (!stop.signal.aborted) options.logger?.warn({ err: error }, 'stream ended');
      })
      .finally(() => {
        clients -= 1;
        clearInterval(keepalive);
        closing.signal.removeEventListener('abort', onClose);
        out.end();
      });
    return reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no')
      .send(out);
  });

  return {
    close: () => {
      closing.abort();
      notifier.close();
    },
  };
}

/** Reads the next batch, retrying through a store outage (reported once per failure as an `error` event). */
async function readChanges(
  store: MessageStore,
  position: string,
  signal: AbortSignal,
  retryMs: number,
  report: (error: unknown) => void,
): Promise<{ changes: readonly ArchiveChange[]; position: string }> {
  for (;;) {
    try {
      return await store.changes(position, STREAM_BATCH);
    } catch (error) {
      if (!(error instanceof StoreError) || signal.aborted) throw error;
      report(error);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      if (signal.aborted) return { changes: [], position };
    }
  }
}
