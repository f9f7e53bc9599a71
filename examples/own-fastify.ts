/**
 * Serve the statbus API from your own Fastify app: your routes beside it, the API under /archive.
 * `createQueryServer` builds a Fastify instance that is not listening; your app hands it the requests
 * under its prefix (inject: in-process, no second port) and returns its answers as they are.
 *
 *   npx tsx examples/own-fastify.ts ./archive.db
 */
import { archiveMessage, createEnvelope, loadConfig, silentLogger } from '@statbus/core';
import { createQueryServer } from '@statbus/query';
import { SqliteMessageStore } from '@statbus/sink';
import Fastify from 'fastify';

const file = process.argv[2] ?? './archive.db';
const { config } = loadConfig({ env: process.env });
const store = new SqliteMessageStore(file);
await store.init();
// A message to find: written straight into the store (an Archiver does this for the bus).
const envelope = createEnvelope({
  topic: `${config.topic_prefix}.${config.environment}.bodhi.update.comment`,
  body: { comment: 'LGTM' },
  seq: 1,
  producer: { name: 'example', host: 'localhost', pid: process.pid, instance: 'example-1' },
});
await store.insertMany([archiveMessage(envelope, { prefix: config.topic_prefix })]);

const api = createQueryServer({ store, config: config.query, logger: silentLogger });
const app = Fastify();
app.get('/hello', () => ({ hello: 'world' }));
app.get('/archive/*', async (request, reply) => {
  const answer = await api.inject({ method: 'GET', url: request.url.slice('/archive'.length), headers: { accept: request.headers.accept ?? '*/*' } });
  return reply.code(answer.statusCode).headers({ 'content-type': answer.headers['content-type'] ?? 'application/json' }).send(answer.rawPayload);
});

await app.listen({ host: '127.0.0.1', port: 0 });
try {
  const { port } = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  console.log(`GET /hello → ${await (await fetch(`${base}/hello`)).text()}`);
  const raw = (await (await fetch(`${base}/archive/raw?category=bodhi`)).json()) as { total: number; raw_messages: { topic: string }[] };
  console.log(`GET /archive/raw?category=bodhi → ${raw.total} message(s): ${raw.raw_messages.map((message) => message.topic).join(', ')}`);
  const missing = await fetch(`${base}/archive/id?id=nope`);
  console.log(`GET /archive/id?id=nope → ${missing.status}`);
} finally {
  await app.close();
  await api.close();
  await store.close();
}
