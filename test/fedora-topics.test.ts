import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger, topicCategory, type StatbusConfig, type Transport } from '@statbus/core';
import { Producer } from '@statbus/producer';
import { createQueryServer } from '@statbus/query';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { FEDORA_TOPICS, FEDORA_TOPIC_HEAD, FEDORA_TOPIC_SUFFIXES, collect, waitFor, type Collector } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqRelay, ZeroMqTransport } from '@statbus/transport-zeromq';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, brokerUp } from './support/hub-bus.js';

const NAMESPACE = { topic_prefix: 'org.fedoraproject', environment: 'prod' } as const;
/** Topics every `#` subscriber must get and no exact pattern of the list may: one word too many, one too few. */
const CONTROLS = ['logger.log.extra', 'bodhi.update'] as const;
const PROBE = 'statbus.probe';

/** One bus of the test: a config for its transports, and what tears it down. */
interface TopicBus {
  readonly config: StatbusConfig;
  close(): Promise<void>;
}

async function zeromqBus(): Promise<TopicBus> {
  const relay = new ZeroMqRelay(configSchema.parse({ zeromq: { relay_inbound: 'tcp://127.0.0.1:*', relay_outbound: 'tcp://127.0.0.1:*' } }), silentLogger);
  await relay.start();
  return {
    config: configSchema.parse({ ...NAMESPACE, transport: 'zeromq', zeromq: { relay_inbound: relay.inboundAddress, relay_outbound: relay.outboundAddress } }),
    close: () => relay.close(),
  };
}

function amqpBus(archiveQueue: string): TopicBus {
  const tag = randomBytes(6).toString('hex');
  const names = { exchange: `statbus.test.topics.${tag}`, dead_letter_exchange: `statbus.test.topics.${tag}.dlx`, dead_letter_queue: `statbus.test.topics.${tag}.dlq` };
  return {
    config: configSchema.parse({ ...NAMESPACE, transport: 'amqp', amqp: { url: AMQP_URL, ...names, connect_attempts: 1 } }),
    close: async () => {
      const model = await connect(AMQP_URL);
      try {
        const channel = await model.createChannel();
        for (const queue of [archiveQueue, names.dead_letter_queue]) await channel.deleteQueue(queue);
        for (const exchange of [names.exchange, names.dead_letter_exchange]) await channel.deleteExchange(exchange);
      } finally {
        await model.close();
      }
    },
  };
}

const transportOf = (config: StatbusConfig): Transport => (config.transport === 'amqp' ? new AmqpTransport(config, silentLogger) : new ZeroMqTransport(config, silentLogger));

const topicsOf = (collector: Collector): string[] => collector.envelopes.map((envelope) => envelope.topic).filter((topic) => !topic.endsWith(PROBE)).sort();

const amqpUp = await brokerUp();

describe.each([
  { kind: 'zeromq', up: true, why: '' },
  { kind: 'amqp', up: amqpUp, why: amqpUp ? '' : ` — skipped: no RabbitMQ at ${AMQP_URL}` },
] as const)('$kind: 104 real Fedora topics published, routed, archived and queried$why', ({ kind, up }) => {
  const archiveQueue = `statbus.test.topics.archive.${randomBytes(6).toString('hex')}`;
  let bus: TopicBus;
  let dir: string;
  let store: SqliteMessageStore;
  let archiver: Archiver;
  let base: string;
  const transports: Transport[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const routed: Record<'all' | 'star' | 'literal', Collector> = {} as Record<'all' | 'star' | 'literal', Collector>;

  beforeAll(async () => {
    if (!up) return;
    bus = kind === 'amqp' ? amqpBus(archiveQueue) : await zeromqBus();
    dir = mkdtempSync(join(tmpdir(), 'statbus-fedora-topics-'));
    store = new SqliteMessageStore(join(dir, 'archive.db'));
    await store.init();
    const open = async (): Promise<Transport> => {
      const transport = transportOf(bus.config);
      transports.push(transport);
      await transport.connect();
      return transport;
    };
    archiver = new Archiver(await open(), store, bus.config, silentLogger, { queue: archiveQueue, maxWaitMs: 20 });
    await archiver.start();
    const subscriber = await open();
    routed.all = collect(await subscriber.subscribe(['#']));
    // `*` for the environment word: one pattern per topic, each matching exactly that topic's length.
    routed.star = collect(await subscriber.subscribe([...FEDORA_TOPIC_SUFFIXES.map((suffix) => `org.fedoraproject.*.${suffix}`), `${FEDORA_TOPIC_HEAD}.${PROBE}`]));
    routed.literal = collect(await subscriber.subscribe([...FEDORA_TOPICS, `${FEDORA_TOPIC_HEAD}.${PROBE}`]));
    const producer = new Producer(await open(), bus.config, silentLogger);
    // A publisher's first messages can pass before its connection is up: publish probes until every subscription has one.
    await waitFor(
      async () => {
        await producer.publish(PROBE, {});
        return Object.values(routed).every((collector) => collector.envelopes.some((envelope) => envelope.topic.endsWith(PROBE)));
      },
      { intervalMs: 50, message: 'a probe reaching every subscription' },
    );
    await Promise.all([...FEDORA_TOPIC_SUFFIXES, ...CONTROLS].map((suffix, index) => producer.publish(suffix, { n: index, topic: suffix })));
    const app = createQueryServer({ store, config: bus.config.query, logger: silentLogger });
    closers.push(() => app.close());
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);

  afterAll(async () => {
    if (!up) return;
    for (const close of closers) await close();
    await archiver.stop();
    await Promise.allSettled(transports.map((transport) => transport.close()));
    await store.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!up)('should hold more than 100 distinct real topics, of one to four words after the category', () => {
    expect(new Set(FEDORA_TOPICS).size).toBeGreaterThanOrEqual(100);
    expect(new Set(FEDORA_TOPIC_SUFFIXES.map((suffix) => suffix.split('.').length))).toEqual(new Set([2, 3, 4, 5]));
  });

  it.skipIf(!up)('should route every topic by #, by * and by its literal pattern, and nothing else to the exact patterns', async () => {
    const expected = [...FEDORA_TOPICS].sort();
    const withControls = [...expected, ...CONTROLS.map((suffix) => `${FEDORA_TOPIC_HEAD}.${suffix}`)].sort();
    await waitFor(() => topicsOf(routed.all).length >= withControls.length && topicsOf(routed.star).length >= expected.length && topicsOf(routed.literal).length >= expected.length, {
      message: `every topic routed (#: ${topicsOf(routed.all).length}, *: ${topicsOf(routed.star).length}, literal: ${topicsOf(routed.literal).length})`,
    });
    expect(topicsOf(routed.all)).toEqual(withControls);
    expect(topicsOf(routed.star)).toEqual(expected);
    expect(topicsOf(routed.literal)).toEqual(expected);
  });

  it.skipIf(!up)('should archive every topic and find each by /raw?topic= and each category by /raw?category=', async () => {
    const published = [...FEDORA_TOPICS, ...CONTROLS.map((suffix) => `${FEDORA_TOPIC_HEAD}.${suffix}`)];
    await waitFor(async () => (await store.count({ notTopics: [`${FEDORA_TOPIC_HEAD}.${PROBE}`] })).count >= published.length, { message: 'the archive holding every message' });
    const byTopic = await Promise.all(
      FEDORA_TOPICS.map(async (topic) => {
        const body = (await (await fetch(`${base}/raw?topic=${encodeURIComponent(topic)}&rows_per_page=10`)).json()) as { total: number; raw_messages: { topic: string }[] };
        return { topic, total: body.total, topics: body.raw_messages.map((message) => message.topic) };
      }),
    );
    expect(byTopic.filter((found) => found.total !== 1 || found.topics[0] !== found.topic)).toEqual([]);
    const expectedByCategory = new Map<string, number>();
    for (const topic of published) expectedByCategory.set(topicCategory(topic, NAMESPACE.topic_prefix), (expectedByCategory.get(topicCategory(topic, NAMESPACE.topic_prefix)) ?? 0) + 1);
    expect(expectedByCategory.get('buildsys')).toBe(8);
    const byCategory = await Promise.all(
      [...expectedByCategory].map(async ([category, count]) => {
        const body = (await (await fetch(`${base}/raw?category=${encodeURIComponent(category)}&rows_per_page=100`)).json()) as { total: number; raw_messages: { topic: string }[] };
        return { category, expected: count, total: body.total, foreign: body.raw_messages.filter((message) => !message.topic.startsWith(`${FEDORA_TOPIC_HEAD}.${category}.`)).length };
      }),
    );
    expect(byCategory.filter((found) => found.total !== found.expected || found.foreign !== 0)).toEqual([]);
  });
});
