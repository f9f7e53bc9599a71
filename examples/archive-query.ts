/**
 * Archive into SQLite and query it: an Archiver writes every message of the bus into a SQLite file; the
 * store answers queries directly, and the HTTP API (datagrepper's /raw) answers them over HTTP.
 *
 *   STATBUS_TRANSPORT=amqp npx tsx examples/archive-query.ts ./archive.db
 */
import { loadConfig, silentLogger, type Transport } from '@statbus/core';
import { Producer } from '@statbus/producer';
import { createQueryServer } from '@statbus/query';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';

const file = process.argv[2] ?? './archive.db';
const { config } = loadConfig({ env: process.env });
const logger = silentLogger;
const transport: Transport = config.transport === 'amqp' ? new AmqpTransport(config, logger) : new ZeroMqTransport(config, logger);
const store = new SqliteMessageStore(file);
await store.init(); // creates or migrates the schema
const archiver = new Archiver(transport, store, config, logger, { batchSize: 100, maxWaitMs: 50, queue: `${config.amqp.exchange}.example-archive` });
const producer = new Producer(transport, config, logger);

await transport.connect();
try {
  await archiver.start(); // resolves once its subscription is live
  await producer.publish('bodhi.update.comment', { comment: 'works for me' }, { usernames: ['alice'], packages: ['kernel'] });
  await producer.publish('bodhi.update.request.stable', { update: 'kernel-6.9' }, { usernames: ['bob'], packages: ['kernel'] });
  await producer.publish('koji.build.end', { build: 42 }, { packages: ['bash'] });
  // Archiving is asynchronous: wait until the three are stored.
  while ((await store.count({})).count < 3) await new Promise((resolve) => setTimeout(resolve, 20));
  await archiver.stop();

  // The store, queried directly: newest first, filtered by category and package.
  const page = await store.find({ categories: ['bodhi'], packages: ['kernel'], order: 'desc' });
  for (const message of page.messages) console.log(`store: ${message.envelope.topic} users=${message.users.join(',')}`);

  // The same archive over HTTP, as datagrepper clients see it.
  const api = createQueryServer({ store, config: config.query, logger });
  const response = await api.inject({ method: 'GET', url: '/raw?package=bash' });
  const raw = response.json<{ total: number; raw_messages: { topic: string; msg: { build: number } }[] }>();
  console.log(`http: /raw?package=bash → ${raw.total} message(s): ${raw.raw_messages.map((m) => `${m.topic} build=${m.msg.build}`).join('; ')}`);
  await api.close();
} finally {
  await transport.close();
  await store.close();
}
