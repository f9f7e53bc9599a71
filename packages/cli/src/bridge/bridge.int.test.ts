import { randomBytes } from 'node:crypto';
import { configSchema, createEnvelope, silentLogger, type Envelope, type LogFn, type Logger, type StatbusConfig, type Transport } from '@statbus/core';
import { freePort, tcpAnswers, waitFor } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from './bridge.js';

const BROKER_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';

const up = await tcpAnswers(BROKER_URL);
const TOPIC = 'org.statbus.dev.bridge.test.done';
const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function config(tag: string, zeromq: Record<string, unknown>, amqp: Record<string, unknown> = {}): StatbusConfig {
  return configSchema.parse({
    zeromq: { use_relay: false, linger_ms: 0, ...zeromq },
    amqp: {
      url: BROKER_URL,
      exchange: `statbus.test.bridge.${tag}`,
      dead_letter_exchange: `statbus.test.bridge.${tag}.dlx`,
      dead_letter_queue: `statbus.test.bridge.${tag}.dlq`,
      connect_attempts: 1,
      reconnect_initial_ms: 20,
      reconnect_max_ms: 200,
      close_timeout_ms: 1_000,
      ...amqp,
    },
  });
}

async function opened<T extends Transport>(transport: T): Promise<T> {
  cleanups.push(() => transport.close());
  await transport.connect();
  return transport;
}

function producerOf(name: string): (index: number) => Envelope {
  const producer = { name, host: 'test', pid: process.pid, instance: `${name}-${randomBytes(4).toString('hex')}` };
  return (index) => createEnvelope({ topic: TOPIC, seq: index + 1, producer, body: { from: name, index } });
}

/** Collects the ids a subscription delivers, acking each. */
function collect(subscription: AsyncIterable<{ envelope: Envelope; ack(): Promise<void> }>): string[] {
  const ids: string[] = [];
  void (async () => {
    for await (const delivery of subscription) {
      ids.push(delivery.envelope.id);
      await delivery.ack();
    }
  })();
  return ids;
}

/** Deletes, after the test, the queue and exchanges a test's bridge and transports declared on the broker. */
function removeAmqpNames(queue: string, base: StatbusConfig): void {
  cleanups.push(async () => {
    const model = await connect(BROKER_URL);
    const channel = await model.createChannel();
    for (const name of [queue, base.amqp.dead_letter_queue]) await channel.deleteQueue(name);
    for (const name of [base.amqp.exchange, base.amqp.dead_letter_exchange]) await channel.deleteExchange(name);
    await model.close();
  });
}

/** A consumer on each side of the bridge (their ids collected) and a producer on the broker's side. */
async function bothSides(tag: string, base: StatbusConfig, endpoints: Record<string, string[]>): Promise<{ amqpProducer: Transport; onZeromq: string[]; onAmqp: string[] }> {
  const zeromqConsumer = await opened(new ZeroMqTransport(config(tag, { endpoints }), silentLogger));
  const amqpProducer = await opened(new AmqpTransport(base, silentLogger));
  const amqpConsumer = await opened(new AmqpTransport(base, silentLogger));
  const onZeromq = collect(await zeromqConsumer.subscribe(['org.statbus.dev.#']));
  const onAmqp = collect(await amqpConsumer.subscribe(['org.statbus.dev.#']));
  return { amqpProducer, onZeromq, onAmqp };
}

/** Publishes `count` messages on each side at once (ZeroMQ's in order, the broker's confirmed together). */
async function publishBothWays(zeromqProducer: Transport, amqpProducer: Transport, count: number): Promise<{ fromZeromq: Envelope[]; fromAmqp: Envelope[] }> {
  const fromZeromq = Array.from({ length: count }, (_, index) => producerOf('zeromq-side')(index));
  const fromAmqp = Array.from({ length: count }, (_, index) => producerOf('amqp-side')(index));
  await Promise.all([
    (async () => {
      for (const envelope of fromZeromq) await zeromqProducer.publish(envelope);
    })(),
    Promise.all(fromAmqp.map((envelope) => amqpProducer.publish(envelope))),
  ]);
  return { fromZeromq, fromAmqp };
}

/** A logger keeping every warning's message. */
function recordingLogger(warnings: string[]): Logger {
  const warn: LogFn = (fields: object | string, message?: string) => {
    warnings.push(typeof fields === 'string' ? fields : (message ?? ''));
  };
  const logger: Logger = { ...silentLogger, warn, child: () => logger };
  return logger;
}

describe(Bridge, () => {
  describe.skipIf(!up)(`against real ZeroMQ sockets and RabbitMQ at ${BROKER_URL}`, () => {
    it('should carry every message once to the other side, both ways at once, and never carry one back', async () => {
      const tag = randomBytes(6).toString('hex');
      const [producerPort, bridgePort] = [await freePort(), await freePort()];
      const producerAddress = `tcp://127.0.0.1:${producerPort}`;
      const bridgeAddress = `tcp://127.0.0.1:${bridgePort}`;
      const endpoints = { producer: [producerAddress], bridge: [bridgeAddress] };
      const queue = `statbus.test.bridge.${tag}.queue`;
      const base = config(tag, {});
      removeAmqpNames(queue, base);

      const zeromqProducer = await opened(new ZeroMqTransport(config(tag, { bind: [producerAddress] }), silentLogger));
      // The bridge subscribes to every endpoint, its own included, as a fedmsg config lists them: what it publishes comes back to it.
      const zeromqBridge = await opened(new ZeroMqTransport(config(tag, { bind: [bridgeAddress], endpoints }), silentLogger));
      const amqpBridge = new AmqpTransport(base, silentLogger);
      cleanups.push(() => amqpBridge.close());
      const bridge = new Bridge(zeromqBridge, amqpBridge, silentLogger, { queue, patterns: ['org.statbus.dev.#'] });
      bridge.start();
      cleanups.push(() => bridge.stop());
      await waitFor(() => bridge.state().zeromq === 'up' && bridge.state().amqp === 'up', { message: 'both sides up' });

      const { amqpProducer, onZeromq, onAmqp } = await bothSides(tag, base, endpoints);

      const count = 200;
      const { fromZeromq, fromAmqp } = await publishBothWays(zeromqProducer, amqpProducer, count);

      const every = [...fromZeromq, ...fromAmqp].map((envelope) => envelope.id).sort();
      await waitFor(() => new Set(onZeromq).size === 2 * count && new Set(onAmqp).size === 2 * count, {
        timeoutMs: 20_000,
        message: `every message on both sides (zeromq ${new Set(onZeromq).size}, amqp ${new Set(onAmqp).size} of ${2 * count})`,
      });
      // Each side's own messages come back to the bridge once (its own ZeroMQ endpoint, its AMQP queue) and stop there.
      await waitFor(() => bridge.counters().looped === 2 * count, { message: `every carried message seen back and stopped (${bridge.counters().looped})` });
      expect([...onZeromq].sort()).toEqual(every);
      expect([...onAmqp].sort()).toEqual(every);
      expect(bridge.counters()).toMatchObject({ toAmqp: count, toZeromq: count, lost: 0, failed: 0, duplicates: 0, gaps: 0 });
    });

    // A publisher that binds has no slow-joiner protection (only the relay's subscribers are awaited by connect()):
    // a bridge whose subscription is not joined yet misses the first messages, and the loop count falls short.
    // Seen once in a full run on a quiet machine; retried rather than slowed down for every run.
    it('should not loop with two bridges at once (each carries the other one\'s messages never), duplicates being the same ids', { retry: 2 }, async () => {
      const tag = randomBytes(6).toString('hex');
      const producerAddress = `tcp://127.0.0.1:${await freePort()}`;
      const bridgeAddresses = [`tcp://127.0.0.1:${await freePort()}`, `tcp://127.0.0.1:${await freePort()}`];
      const endpoints = { producer: [producerAddress], one: [bridgeAddresses[0] ?? ''], two: [bridgeAddresses[1] ?? ''] };
      // Both bridges consume from one queue (the way to run two for availability): a message of the broker is carried by one of them.
      const queue = `statbus.test.bridge.${tag}.queue`;
      const base = config(tag, {});
      removeAmqpNames(queue, base);
      const zeromqProducer = await opened(new ZeroMqTransport(config(tag, { bind: [producerAddress] }), silentLogger));
      const bridges: Bridge[] = [];
      for (const address of bridgeAddresses) {
        const zeromqSide = await opened(new ZeroMqTransport(config(tag, { bind: [address], endpoints }), silentLogger));
        const amqpSide = new AmqpTransport(base, silentLogger);
        cleanups.push(() => amqpSide.close());
        const bridge = new Bridge(zeromqSide, amqpSide, silentLogger, { queue, patterns: ['org.statbus.dev.#'] });
        bridge.start();
        cleanups.push(() => bridge.stop());
        bridges.push(bridge);
      }
      await waitFor(() => bridges.every((bridge) => bridge.state().zeromq === 'up' && bridge.state().amqp === 'up'), { message: 'both bridges up' });
      const { amqpProducer, onZeromq, onAmqp } = await bothSides(tag, base, endpoints);

      const count = 50;
      const { fromZeromq, fromAmqp } = await publishBothWays(zeromqProducer, amqpProducer, count);
      // Every carried copy comes back to the bridges once and stops there: ZeroMQ's messages are carried by both
      // (2 × count marked copies on the broker), the broker's by one (its copy seen by both on ZeroMQ).
      const looped = (): number => bridges.reduce((sum, bridge) => sum + bridge.counters().looped, 0);
      await waitFor(() => looped() === 4 * count, { timeoutMs: 20_000, message: `every copy stopped (${looped()} of ${4 * count})` });
      await waitFor(() => onZeromq.length === 2 * count && onAmqp.length === 3 * count, {
        timeoutMs: 20_000,
        message: `every copy delivered (zeromq ${onZeromq.length}, amqp ${onAmqp.length})`,
      });
      const every = [...fromZeromq, ...fromAmqp].map((envelope) => envelope.id).sort();
      expect([...new Set(onZeromq)].sort()).toEqual(every);
      expect([...new Set(onAmqp)].sort()).toEqual(every);
      const totals = bridges.map((bridge) => bridge.counters());
      expect(totals.map((total) => total.toAmqp)).toEqual([count, count]);
      expect(totals.reduce((sum, total) => sum + total.toZeromq, 0)).toBe(count);
      expect(totals.every((total) => total.lost === 0 && total.failed === 0)).toBe(true);
    });

    it('should report what overflows its buffer toward a broker that is down as lost, per producer and seq range, and keep trying', async () => {
      const tag = randomBytes(6).toString('hex');
      const producerAddress = `tcp://127.0.0.1:${await freePort()}`;
      const bridgeAddress = `tcp://127.0.0.1:${await freePort()}`;
      const down = config(tag, {}, { url: `amqp://guest:guest@127.0.0.1:${await freePort()}/%2F` });
      const zeromqProducer = await opened(new ZeroMqTransport(config(tag, { bind: [producerAddress] }), silentLogger));
      const zeromqBridge = await opened(new ZeroMqTransport(config(tag, { bind: [bridgeAddress], endpoints: { producer: [producerAddress] } }), silentLogger));
      const amqpBridge = new AmqpTransport(down, silentLogger);
      cleanups.push(() => amqpBridge.close());
      const warnings: string[] = [];
      const bridge = new Bridge(zeromqBridge, amqpBridge, recordingLogger(warnings), { bufferSize: 5, retryInitialMs: 20, retryMaxMs: 50 });
      bridge.start();
      await waitFor(() => bridge.state().zeromq === 'up' && bridge.state().amqp === 'down', { message: 'zeromq up, amqp down' });
      expect(warnings.some((line) => line.includes('the amqp side is down') && line.includes('ERR_CONNECTION'))).toBe(true);

      const next = producerOf('busy');
      for (let index = 0; index < 20; index += 1) await zeromqProducer.publish(next(index));
      await waitFor(() => bridge.counters().lost === 15, { message: `15 lost (${bridge.counters().lost})` });
      expect(bridge.pending).toBe(5);
      await bridge.stop();
      expect(bridge.counters().lost).toBe(20);
      expect(warnings).toContainEqual(expect.stringMatching(/lost 15 message\(s\) of busy from ZeroMQ \(seq 6\.\.20\)/u));
      expect(warnings).toContainEqual(expect.stringMatching(/lost 5 message\(s\) of busy from ZeroMQ \(seq 1\.\.5\): the bridge stopped/u));
    });
  });
});
