import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADER_REPLAYED, configSchema, createEnvelope, silentLogger, type StatbusConfig, type Transport } from '@statbus/core';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { collect, tcpAnswers, waitFor, type Collector } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqRelay, ZeroMqTransport } from '@statbus/transport-zeromq';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/in-process-cli.js';

const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';

const producer = { name: 'koji', host: 'koji01', pid: 7, instance: 'koji-a' };
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const ARCHIVED = [
  'org.fedoraproject.prod.buildsys.tag',
  'org.fedoraproject.prod.git.receive',
  'org.fedoraproject.prod.bodhi.update.comment',
  'org.statbus.dev.copr.build.end',
  'org.fedoraproject.prod.logger.log',
].map((topic, index) => createEnvelope({ topic, body: { n: index }, producer, seq: index + 1, time: T0 + index * 60_000, headers: { usernames: 'alice' } }));

/** One bus: the CLI's environment for it, the config of the test's own transports, its teardown. */
interface ReplayBus {
  readonly env: Record<string, string>;
  readonly config: StatbusConfig;
  readonly archiveQueue: string;
  close(): Promise<void>;
}

async function zeromqBus(): Promise<ReplayBus> {
  const relay = new ZeroMqRelay(configSchema.parse({ zeromq: { relay_inbound: 'tcp://127.0.0.1:*', relay_outbound: 'tcp://127.0.0.1:*' } }), silentLogger);
  await relay.start();
  const zeromq = { relay_inbound: relay.inboundAddress ?? '', relay_outbound: relay.outboundAddress ?? '' };
  return {
    env: { STATBUS_TRANSPORT: 'zeromq', STATBUS_ZEROMQ__RELAY_INBOUND: zeromq.relay_inbound, STATBUS_ZEROMQ__RELAY_OUTBOUND: zeromq.relay_outbound },
    config: configSchema.parse({ transport: 'zeromq', zeromq }),
    archiveQueue: 'unused',
    close: () => relay.close(),
  };
}

function amqpBus(): ReplayBus {
  const tag = randomBytes(6).toString('hex');
  const amqp = { url: AMQP_URL, exchange: `statbus.test.replay.${tag}`, dead_letter_exchange: `statbus.test.replay.${tag}.dlx`, dead_letter_queue: `statbus.test.replay.${tag}.dlq` };
  const archiveQueue = `statbus.test.replay.${tag}.archive`;
  return {
    env: {
      STATBUS_TRANSPORT: 'amqp',
      STATBUS_AMQP__URL: amqp.url,
      STATBUS_AMQP__EXCHANGE: amqp.exchange,
      STATBUS_AMQP__DEAD_LETTER_EXCHANGE: amqp.dead_letter_exchange,
      STATBUS_AMQP__DEAD_LETTER_QUEUE: amqp.dead_letter_queue,
    },
    config: configSchema.parse({ transport: 'amqp', amqp }),
    archiveQueue,
    close: async () => {
      const model = await connect(AMQP_URL);
      try {
        const channel = await model.createChannel();
        for (const queue of [archiveQueue, amqp.dead_letter_queue]) await channel.deleteQueue(queue);
        for (const exchange of [amqp.exchange, amqp.dead_letter_exchange]) await channel.deleteExchange(exchange);
      } finally {
        await model.close();
      }
    },
  };
}

const amqpUp = await tcpAnswers(AMQP_URL);

const buses: readonly (readonly ['zeromq' | 'amqp', boolean, string])[] = [
  ['zeromq', true, ''],
  ['amqp', amqpUp, amqpUp ? '' : ` — skipped: no RabbitMQ at ${AMQP_URL}`],
];

for (const [kind, up, why] of buses) describe(`statbus replay over ${kind}${why}`, () => {
  let cwd: string;
  let bus: ReplayBus;
  let env: Record<string, string>;
  let store: SqliteMessageStore;
  let archiver: Archiver;
  let watcher: Collector;
  const transports: Transport[] = [];

  const replayedSeen = (): string[] => watcher.envelopes.filter((envelope) => envelope.headers[HEADER_REPLAYED] !== undefined).map((envelope) => envelope.id);

  beforeAll(async () => {
    if (!up) return;
    cwd = mkdtempSync(join(tmpdir(), 'statbus-replay-'));
    bus = kind === 'amqp' ? amqpBus() : await zeromqBus();
    const path = join(cwd, 'archive.db');
    env = { ...bus.env, STATBUS_STORE: `sqlite:${path}` };
    const seeded = await runCli(['db', 'import', '-'], { cwd, env, input: ARCHIVED.map((envelope) => JSON.stringify(envelope)).join('\n') });
    expect(seeded.code, seeded.stderr).toBe(0);
    // The archiver of the running bus writes into the archive the replay reads: a replayed message is already there.
    store = new SqliteMessageStore(path);
    await store.init();
    const open = async (): Promise<Transport> => {
      const transport = bus.config.transport === 'amqp' ? new AmqpTransport(bus.config, silentLogger) : new ZeroMqTransport(bus.config, silentLogger);
      transports.push(transport);
      await transport.connect();
      return transport;
    };
    archiver = new Archiver(await open(), store, bus.config, silentLogger, { queue: bus.archiveQueue, maxWaitMs: 10 });
    await archiver.start();
    watcher = collect(await (await open()).subscribe(['#']));
  });

  afterAll(async () => {
    if (!up) return;
    await archiver.stop();
    await Promise.allSettled(transports.map((transport) => transport.close()));
    await store.close();
    await bus.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it.skipIf(!up)('should republish the matching messages with their ids, marked replayed, and the archive should store none twice', async () => {
    const { code, stderr } = await runCli(['replay', 'start=2024-05-01T12:00:00Z&end=2024-05-01T13:00:00Z&topic=org.fedoraproject.prod.git.receive&topic=org.fedoraproject.prod.buildsys.tag'], { cwd, env });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('2 of 2 replayed');
    const expected = [ARCHIVED[0]?.id, ARCHIVED[1]?.id].sort();
    await waitFor(() => replayedSeen().length >= 2, { message: `the replayed messages on the bus (saw ${replayedSeen().length})` });
    expect(replayedSeen().sort()).toEqual(expected);
    const replayed = watcher.envelopes.find((envelope) => envelope.id === ARCHIVED[1]?.id);
    expect(replayed).toMatchObject({ topic: ARCHIVED[1]?.topic, time: ARCHIVED[1]?.time, seq: 2, body: { n: 1 }, producer });
    await waitFor(() => archiver.counters().duplicates >= 2, { message: 'the archiver seeing both as duplicates' });
    expect(archiver.counters().archived).toBe(0);
    expect((await store.count({})).count).toBe(ARCHIVED.length);
  });

  it.skipIf(!up)('should replay one message by --id, at a --rate, with --topic taking a short or full topic', async () => {
    const before = replayedSeen().length;
    const byId = await runCli(['replay', '--id', ARCHIVED[3]?.id ?? '', '--rate', '50'], { cwd, env });
    expect(byId.code, byId.stderr).toBe(0);
    const byTopic = await runCli(['replay', '--since', '2024-05-01T00:00:00Z', '--topic', 'copr.build.end'], { cwd, env });
    expect(byTopic.code, byTopic.stderr).toBe(0);
    await waitFor(() => replayedSeen().length >= before + 2, { message: 'both replays on the bus' });
    expect(replayedSeen().slice(before)).toEqual([ARCHIVED[3]?.id, ARCHIVED[3]?.id]);
    await waitFor(() => archiver.counters().duplicates >= 4, { message: 'the archiver seeing them as duplicates' });
    expect((await store.count({})).count).toBe(ARCHIVED.length);
  });

  it.skipIf(!up || kind !== 'amqp')('should replay into one consumer queue only with --queue (AMQP only: ZeroMQ has no queues)', async () => {
    const before = { seen: replayedSeen().length, duplicates: archiver.counters().duplicates };
    const { code, stderr } = await runCli(['replay', '--queue', bus.archiveQueue, 'delta=315360000&topic=org.fedoraproject.prod.logger.log'], { cwd, env });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`to queue ${bus.archiveQueue}`);
    await waitFor(() => archiver.counters().duplicates >= before.duplicates + 1, { message: 'the archiver (the queue\'s consumer) getting it' });
    // The watcher's own queue is bound to the exchange, which the message never went through.
    const marker = await runCli(['replay', '--id', ARCHIVED[2]?.id ?? ''], { cwd, env });
    expect(marker.code, marker.stderr).toBe(0);
    await waitFor(() => replayedSeen().length >= before.seen + 1, { message: 'the marker replay on the bus' });
    expect(replayedSeen().slice(before.seen)).toEqual([ARCHIVED[2]?.id]);
    expect((await store.count({})).count).toBe(ARCHIVED.length);
  });

  describe('when the request is wrong', () => {
    it.skipIf(!up)('should name a filter that parses but matches nothing, exit 1', async () => {
      const { code, stderr } = await runCli(['replay', 'category=nothere&start=2024-01-01'], { cwd, env });
      expect(code).toBe(1);
      expect(stderr).toContain('no archived message matches filter "category=nothere&start=2024-01-01"');
    });

    it.skipIf(!up)('should ask for a time range or an id, exit 2', async () => {
      const { code, stderr } = await runCli(['replay', 'category=bodhi'], { cwd, env });
      expect(code).toBe(2);
      expect(stderr).toMatch(/a time range .* or --id/u);
    });

    it.skipIf(!up)('should name an unknown id, exit 1', async () => {
      const { code, stderr } = await runCli(['replay', '--id', '2024-nope'], { cwd, env });
      expect(code).toBe(1);
      expect(stderr).toContain('no archived message has id 2024-nope');
    });

    it.skipIf(!up)('should name a bad filter parameter', async () => {
      const { code, stderr } = await runCli(['replay', 'colour=blue&delta=60'], { cwd, env });
      expect(code).toBe(1);
      expect(stderr).toMatch(/colour/u);
    });

    it.skipIf(!up || kind !== 'amqp')('should name a queue that does not exist, exit 1 (AMQP only)', async () => {
      const { code, stderr } = await runCli(['replay', '--queue', 'statbus.test.replay.no-such-queue', '--id', ARCHIVED[0]?.id ?? ''], { cwd, env });
      expect(code).toBe(1);
      expect(stderr).toContain('No queue "statbus.test.replay.no-such-queue"');
    });
  });
});
