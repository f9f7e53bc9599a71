import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUERY_DEFAULTS, createEnvelope, silentLogger, type Envelope } from '@statbus/core';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { MemoryBus, MemoryTransport, makeStoreFixture, waitFor } from '@statbus/testing';
import { createQueryServer } from '../server/create-query-server.js';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Reads a Server-Sent Events response into `events` (blocks with data) and `ids` (every id seen) until aborted. */
function readSse(response: Response): { events: SseEvent[]; lastId: () => string | undefined; opened: Promise<void> } {
  const events: SseEvent[] = [];
  let lastId: string | undefined;
  let buffer = '';
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        open();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(': ');
            const value = rest.join(': ');
            if (field === 'id') event.id = lastId = value;
            if (field === 'event') event.event = value;
            if (field === 'data') event.data = value;
          }
          if (event.data !== undefined) events.push(event);
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return { events, lastId: () => lastId, opened };
}

async function setUp(maxClients = 10): Promise<{ base: string; transport: MemoryTransport; store: SqliteMessageStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-stream-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteMessageStore(join(dir, 'archive.db'));
  await store.init();
  cleanups.push(() => store.close());
  await store.insertMany(makeStoreFixture({ count: 50 }).messages);
  const bus = new MemoryBus();
  const transport = new MemoryTransport(bus, { prefetch: 1000 });
  await transport.connect();
  cleanups.push(() => transport.close());
  const archiver = new Archiver(transport, store, { topic_prefix: 'org.statbus' }, silentLogger, { batchSize: 10, maxWaitMs: 5 });
  await archiver.start();
  cleanups.push(() => archiver.stop());
  // A long poll interval: delivery within the test's time proves the in-process notification hook.
  const app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [], poll_interval_ms: 60_000, max_stream_clients: maxClients } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close());
  return { base, transport, store };
}

let seq = 0;
function envelopes(count: number): Envelope[] {
  return Array.from({ length: count }, (_, index) =>
    createEnvelope({
      topic: `org.statbus.dev.${index % 2 === 0 ? 'bodhi' : 'koji'}.update.comment`,
      producer: { name: 'test', host: 'localhost', pid: 1, instance: 'stream-test' },
      seq: (seq += 1),
      headers: { usernames: 'adamw' },
      body: { index },
    }),
  );
}

async function connect(url: string, headers: Record<string, string> = {}): Promise<ReturnType<typeof readSse>> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  cleanups.push(() => abort.abort());
  const reader = readSse(response);
  await reader.opened;
  return Object.assign(reader, { close: () => abort.abort() });
}

describe('GET /stream', () => {
  describe('when messages are published after the client connected', () => {
    it('should deliver the matching ones, end to end (publish → transport → archiver → store → stream), and resume by Last-Event-ID', async () => {
      const { base, transport } = await setUp();
      const first = (await connect(`${base}/stream?category=bodhi&format=v2`)) as Awaited<ReturnType<typeof connect>> & { close(): void };
      const sent = envelopes(20);
      for (const envelope of sent) await transport.publish(envelope);
      const bodhi = sent.filter((e) => e.topic.includes('.bodhi.')).map((e) => e.id);
      await waitFor(() => first.events.length >= bodhi.length, { message: 'the bodhi messages streamed' });
      expect(first.events.map((e) => (JSON.parse(e.data ?? '{}') as { id: string }).id)).toEqual(bodhi);
      expect(first.events.every((e) => e.event === 'message')).toBe(true);
      const resumeAt = await waitFor(() => first.lastId(), { message: 'an event id' });
      first.close();

      const missed = envelopes(15);
      for (const envelope of missed) await transport.publish(envelope);
      const second = await connect(`${base}/stream?category=bodhi`, { 'last-event-id': resumeAt });
      const wanted = missed.filter((e) => e.topic.includes('.bodhi.')).map((e) => e.id);
      await waitFor(() => second.events.length >= wanted.length, { message: 'the messages missed while away' });
      expect(second.events.map((e) => (JSON.parse(e.data ?? '{}') as Envelope).id)).toEqual(wanted);
    });
  });

  describe('when a client disconnects', () => {
    it('should free its place (at most max_stream_clients at once)', async () => {
      const { base } = await setUp(1);
      const only = (await connect(`${base}/stream`)) as Awaited<ReturnType<typeof connect>> & { close(): void };
      const refused = await fetch(`${base}/stream`);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: 'too_many_streams' });
      only.close();
      await waitFor(async () => {
        const again = await fetch(`${base}/stream`, { signal: AbortSignal.timeout(2000) });
        if (again.status !== 200) await again.body?.cancel();
        else cleanups.push(() => again.body?.cancel());
        return again.status === 200;
      }, { message: 'the place freed', intervalMs: 50 });
    });
  });

  describe('when Last-Event-ID is not a position of the store', () => {
    it('should answer 400 naming Last-Event-ID', async () => {
      const { base } = await setUp();
      const response = await fetch(`${base}/stream`, { headers: { 'last-event-id': 'bogus!' } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'bad_request', parameter: 'Last-Event-ID' });
    });
  });

  describe('when a topic pattern is outside the grammar', () => {
    it.each([
      ['topic', 'a..b'],
      ['topic', '##'],
      ['topic', 'a b'],
      ['topic', '*#'],
      ['not_topic', 'a..b'],
      ['not_topic', '*#'],
    ])('should answer 400 naming %s for %j, as /raw does', async (parameter, pattern) => {
      const { base } = await setUp();
      const query = `${parameter}=${encodeURIComponent(pattern)}`;
      for (const route of ['stream', 'raw']) {
        const response = await fetch(`${base}/${route}?${query}`);
        expect(response.status, route).toBe(400);
        expect(await response.json(), route).toMatchObject({ error: 'bad_request', parameter });
      }
    });
  });
});
