import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, createEnvelope, silentLogger, type Envelope, type RollupMessageStore } from '@statbus/core';
import { BUILT_IN_PLUGINS, MetricsCatalog, MetricsEngine, followsArchive } from '@statbus/metrics';
import { SqliteMessageStore } from '@statbus/sink';
import { waitFor } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { connect } from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';
import { AMQP_URL, brokerUp } from './support/hub-bus.js';

const haveBroker = await brokerUp();
const catalog = new MetricsCatalog(BUILT_IN_PLUGINS);
const archivePlugins = catalog.list().filter((entry) => followsArchive(entry.plugin));

async function snapshot(store: RollupMessageStore): Promise<Record<string, unknown[]>> {
  const all: Record<string, unknown[]> = {};
  for (const entry of archivePlugins) {
    for (const interval of entry.intervals) all[`${entry.plugin.name} ${interval.name}`] = [...(await store.readRollups({ plugin: entry.plugin.name, interval: interval.name }))];
  }
  return all;
}

describe.skipIf(!haveBroker)(`metrics over RabbitMQ at ${AMQP_URL}: two statbus nom on one queue, one killed with SIGKILL mid-stream (skipped without RabbitMQ)`, () => {
  const tag = randomUUID().slice(0, 8);
  const names = { exchange: `statbus.test.metrics.${tag}`, queue: `statbus.test.metrics.${tag}.archive`, dlx: `statbus.test.metrics.${tag}.dlx`, dlq: `statbus.test.metrics.${tag}.dlq` };
  const dir = mkdtempSync(join(tmpdir(), 'statbus-metrics-e2e-'));
  const path = join(dir, 'archive.db');
  const env = {
    STATBUS_TRANSPORT: 'amqp',
    STATBUS_AMQP__URL: AMQP_URL,
    STATBUS_AMQP__EXCHANGE: names.exchange,
    STATBUS_AMQP__DEAD_LETTER_EXCHANGE: names.dlx,
    STATBUS_AMQP__DEAD_LETTER_QUEUE: names.dlq,
    STATBUS_SINK__QUEUE: names.queue,
    STATBUS_SINK__BATCH_SIZE: '40',
    STATBUS_SINK__MAX_WAIT_MS: '20',
    STATBUS_STORE: `sqlite:${path}`,
    STATBUS_LOG__LEVEL: 'warn',
    STATBUS_METRICS__POLL_INTERVAL_MS: '50',
    STATBUS_METRICS__BATCH_SIZE: '150',
  };
  const running: CliProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((process) => process.stop('SIGKILL')));
    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const queue of [names.queue, names.dlq]) await channel.deleteQueue(queue);
    for (const exchange of [names.exchange, names.dlx]) await channel.deleteExchange(exchange);
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should keep live metrics equal to metrics rebuilt from the archive, per plugin, interval and key', { timeout: 300_000 }, async () => {
    const nom = (): CliProcess => {
      const process = startCli(['nom'], env);
      running.push(process);
      return process;
    };
    const first = nom();
    const second = nom();
    const started = (process: CliProcess): Promise<unknown> => waitFor(() => process.stderr().includes('statbus nom: archiving'), { timeoutMs: 120_000, message: 'statbus nom archiving' });
    await Promise.all([started(first), started(second)]);
    const transport = new AmqpTransport(configSchema.parse({ transport: 'amqp', amqp: { url: AMQP_URL, exchange: names.exchange, dead_letter_exchange: names.dlx, dead_letter_queue: names.dlq } }), silentLogger);
    await transport.connect();
    const store = new SqliteMessageStore(path);
    try {
      const now = Date.now();
      const categories = ['bodhi', 'koji', 'copr', 'pagure'];
      const envelopes: Envelope[] = Array.from({ length: 1200 }, (_, index) =>
        createEnvelope({
          topic: `org.statbus.dev.${categories[index % 4] ?? 'bodhi'}.thing.${index % 7 === 0 ? 'done' : 'changed'}`,
          // Out of order: times jump back and forth over the last two days.
          time: now - ((index * 7919) % (2 * 86_400_000)),
          producer: { name: 'e2e', host: 'localhost', pid: 1, instance: tag },
          seq: index + 1,
          headers: { usernames: `user${index % 13}`, packages: `pkg${index % 17},pkg${index % 5}` },
          body: { index },
        }),
      );
      const publish = async (from: number, to: number): Promise<void> => {
        for (const envelope of envelopes.slice(from, to)) {
          await transport.publish(envelope);
          // Redelivered duplicates: every fifth message is published again.
          if (envelope.seq % 5 === 0) await transport.publish(envelope);
        }
      };
      await publish(0, 500);
      await waitFor(async () => (await store.init().then(() => store.count({}))).count >= 150, { timeoutMs: 30_000, message: 'archiving started' });
      // Mid-stream: one archiver dies without warning (between an insert and its rollup, or anywhere), then restarts.
      await first.stop('SIGKILL');
      await publish(500, 900);
      const restarted = nom();
      await started(restarted);
      await publish(900, envelopes.length);
      await waitFor(async () => (await store.count({})).count === envelopes.length, { timeoutMs: 60_000, message: `all ${envelopes.length} messages archived` });
      await waitFor(
        async () => {
          const head = await store.changesHead();
          const positions = await store.rollupPositions();
          return archivePlugins.every((entry) => positions[entry.plugin.name]?.position === head);
        },
        { timeoutMs: 60_000, message: 'every plugin at the head of the archive' },
      );
      expect(await Promise.all([second.stop(), restarted.stop()])).toEqual([0, 0]);
      const live = await snapshot(store);
      expect((live['volume 1d'] as { value: number }[]).reduce((sum, row) => sum + row.value, 0)).toBe(envelopes.length);
      // Archive delay is a bus-health event, recorded once per newly stored message by the archiver that stored it;
      // the killed archiver may have lost some it had not written yet.
      const delays = await store.readRollups({ plugin: 'archive-delay', interval: '1d', fields: ['count'] });
      const delayed = delays.reduce((sum, row) => sum + row.value, 0);
      expect(delayed).toBeGreaterThan(0);
      expect(delayed).toBeLessThanOrEqual(envelopes.length);
      const engine = new MetricsEngine(store, catalog, silentLogger);
      await engine.rebuild();
      expect(await snapshot(store)).toEqual(live);
    } finally {
      await transport.close();
      await store.close();
    }
  });
});
