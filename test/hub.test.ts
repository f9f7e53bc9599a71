import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { connect } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';
import {
  AMQP_URL,
  FIXTURES,
  HANDLERS,
  amqpTransport,
  hubTransports,
  publishBodies,
  readRecords,
  scratchDir,
  startHub,
  useHubTransport,
  waitForCounters,
  zeromqTransport,
} from './support/hub-bus.js';

const { transports, haveBroker } = await hubTransports();

describe.each(transports)('statbus hub over $name', (transport) => {
  const { running, setup } = useHubTransport(transport);

  it('should run the consumers [consumer] consumers names on what the CLI publishes, only on their patterns', async () => {
    const { bus, dir, record } = await setup();
    const config = join(dir, 'statbus.toml');
    writeFileSync(config, `[consumer]\nconsumers = ["${HANDLERS}:BodhiRecorder"]\n`);
    const hub = await startHub(['--config', config], bus.env, record, running);
    expect(hub.process.stderr()).toContain('statbus hub: 1 consumer(s)');

    const bodhi = publishBodies(bus.env, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const copr = publishBodies(bus.env, [{ n: 4 }], 'copr.build.end');
    expect(await bodhi.exited).toBe(0);
    expect(await copr.exited).toBe(0);
    const counters = await waitForCounters(hub.port, (c) => c.processed >= 3, 'processed 3');
    const records = readRecords(record);
    expect(records.map((line) => line.n).sort()).toEqual([1, 2, 3]);
    expect(records.every((line) => line.topic === 'org.statbus.dev.bodhi.update.comment' && line.event === 'processed')).toBe(true);
    expect(counters).toMatchObject({ processed: 3, failed: 0, rejected: 0, retried: 0 });
    expect(counters.handlers['BodhiRecorder']).toMatchObject({ processed: 3 });

    expect(await hub.process.stop('SIGTERM')).toBe(0);
    expect(hub.process.stderr()).toMatch(/"msg":"consumer stopped"/u);
  });

  it('should retry a Nack, ack a Drop, and dead-letter what still fails after max_retries', async () => {
    const { bus, record } = await setup();
    const env = { ...bus.env, STATBUS_CONSUMER__MAX_RETRIES: '2' };
    const hub = await startHub(['--consumer', `${HANDLERS}:behave`, '--topic', 'bodhi.#'], env, record, running);

    const publish = publishBodies(env, [
      { n: 1, action: 'ok' },
      { n: 2, action: 'drop' },
      { n: 3, action: 'flaky' },
      { n: 4, action: 'nack' },
    ]);
    expect(await publish.exited).toBe(0);
    const counters = await waitForCounters(hub.port, (c) => c.processed + c.dropped + c.failed >= 4, 'every message settled for good');
    expect(counters).toMatchObject({ processed: 2, dropped: 1, failed: 1, retried: 3, rejected: 0 });
    expect(counters.handlers['behave']).toMatchObject({ processed: 2, dropped: 1, failed: 1, retried: 3 });

    const records = readRecords(record);
    const of = (n: number): string[] => records.filter((line) => line.n === n).map((line) => `${line.event}@${line.attempt}`);
    expect(of(1)).toEqual(['processed@1']);
    expect(of(2)).toEqual(['drop@1']);
    expect(of(3)).toEqual(['nack@1', 'processed@2']);
    // max_retries = 2: the first attempt and two retries, then the dead-letter queue.
    expect(of(4)).toEqual(['nack@1', 'nack@2', 'nack@3']);
    expect(hub.process.stderr()).toMatch(/dead-lettered after 3 attempt\(s\)/u);

    if (transport.kind === 'amqp') {
      const dead = await waitFor(async () => {
        const bodies = await bus.deadLettered();
        return bodies !== undefined && bodies.length > 0 ? bodies : undefined;
      });
      expect(dead).toEqual([{ n: 4, action: 'nack' }]);
      expect(await bus.queued()).toBe(0);
    }
  });

  it('should stop on HaltConsumer with a non-zero exit and the reason, and leave what followed on the queue', async () => {
    const { bus, record } = await setup();
    const env = { ...bus.env, STATBUS_CONSUMER__CONCURRENCY: '1' };
    const hub = await startHub(['--consumer', `${HANDLERS}:behave`, '--topic', 'bodhi.#'], env, record, running);

    const publish = publishBodies(env, [{ n: 1, action: 'halt' }, { n: 2 }, { n: 3 }]);
    expect(await publish.exited).toBe(0);
    // The process ends with the exit code the HaltConsumer asked for.
    expect(await hub.process.exited).toBe(3);
    expect(hub.process.stderr()).toMatch(/statbus: hub halted: behave: poison message/u);
    const records = readRecords(record);
    expect(records.filter((line) => line.event === 'halt').map((line) => line.n)).toEqual([1]);
    expect(records.filter((line) => line.event === 'processed')).toEqual([]);

    if (transport.kind === 'amqp') {
      // The halting message was acked; those behind it were given back, not acked: a new hub gets them.
      expect(await bus.queued()).toBe(2);
      const next = await startHub(['--consumer', `${HANDLERS}:behave`, '--topic', 'bodhi.#'], env, record, running);
      await waitForCounters(next.port, (c) => c.processed >= 2, 'the two messages after the halt processed');
      expect(readRecords(record).filter((line) => line.event === 'processed').map((line) => line.n).sort()).toEqual([2, 3]);
      expect(await bus.deadLettered()).toEqual([]);
    }
  });
});

if (!haveBroker) {
  describe.skip(`statbus hub over amqp — skipped: no RabbitMQ at ${AMQP_URL}`, () => {
    it('needs RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)', () => undefined);
  });
}

describe.concurrent('statbus hub refuses bad input', () => {
  // The hub fails before it connects: no relay or broker needed (the relay addresses lead nowhere).
  const env = { STATBUS_TRANSPORT: 'zeromq', STATBUS_ZEROMQ__RELAY_INBOUND: 'ipc:///nonexistent/in', STATBUS_ZEROMQ__RELAY_OUTBOUND: 'ipc:///nonexistent/out' };
  const cases: { name: string; args: string[]; config?: string; error: RegExp }[] = [
    { name: 'a module that does not exist', args: ['--consumer', './nope.js:x', '--topic', '#'], error: /--consumer \.\/nope\.js:x: cannot load module "\.\/nope\.js"/u },
    {
      name: 'an export that does not exist',
      args: ['--consumer', `${HANDLERS}:missing`, '--topic', '#'],
      error: /has no export "missing" \(it has: BodhiRecorder, behave, notAConsumer, record\)/u,
    },
    { name: 'an export that is no function', args: ['--consumer', `${HANDLERS}:notAConsumer`, '--topic', '#'], error: /export "notAConsumer" is neither a function nor a consumer/u },
    { name: 'a config naming an unknown consumer', args: [], config: '[consumer]\nconsumers = ["./nope.js:x"]\n', error: /cannot load module "\.\/nope\.js"/u },
    { name: 'a function consumer without a topic', args: ['--consumer', `${HANDLERS}:record`], error: /a function consumer needs --topic/u },
    { name: 'no consumer at all', args: [], error: /no consumer to run/u },
  ];

  it.for(cases)('should exit 1 with a clear error for $name', async ({ args, config, error }, { expect: expectHere }) => {
    const scratch = scratchDir();
    try {
      const configArgs: string[] = [];
      if (config !== undefined) {
        writeFileSync(join(scratch.dir, 'statbus.toml'), config);
        configArgs.push('--config', join(scratch.dir, 'statbus.toml'));
      }
      const hub = startCli(['hub', ...configArgs, ...args], env, undefined, { cwd: FIXTURES });
      expectHere(await hub.exited).toBe(1);
      expectHere(hub.stderr()).toMatch(error);
      expectHere(hub.stderr()).not.toMatch(/unexpected error|\n\s+at /u);
    } finally {
      scratch.remove();
    }
  });
});

describe('statbus hub with its health port taken', () => {
  it('should exit 1 naming the port, before it takes any message', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const transport = zeromqTransport();
      await transport.open();
      try {
        const { env } = await transport.bus();
        const hub = startCli(['hub', '--consumer', `${HANDLERS}:record`, '--topic', '#'], { ...env, STATBUS_CONSUMER__HEALTH_PORT: String(port) }, undefined, { cwd: FIXTURES });
        expect(await hub.exited).toBe(1);
        expect(hub.stderr()).toMatch(new RegExp(`statbus: \\[consumer\\] health_port: cannot listen on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`, 'u'));
        expect(hub.stderr()).not.toMatch(/consumer started|unexpected error/u);
      } finally {
        await transport.close();
      }
    } finally {
      server.close();
    }
  });
});

describe.runIf(haveBroker)(`statbus hub over amqp (RabbitMQ at ${AMQP_URL}) with bad input`, () => {
  it('should take nothing off the queue when a consumer cannot be loaded or the health port is taken', async () => {
    const bus = await amqpTransport().bus();
    const scratch = scratchDir();
    const running: CliProcess[] = [];
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as AddressInfo).port;
    try {
      // Declare the hub's queue as the hub would, so the message waits in it.
      const connection = await connect(AMQP_URL);
      const channel = await connection.createChannel();
      const { exchange, queue, deadLetterExchange: dlx } = bus.names;
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': dlx, 'x-delivery-limit': 4 } });
      await channel.bindQueue(queue, exchange, 'org.statbus.dev.bodhi.#');
      await connection.close();
      expect(await publishBodies(bus.env, [{ n: 1 }]).exited).toBe(0);
      expect(await bus.queued()).toBe(1);

      const config = join(scratch.dir, 'statbus.toml');
      writeFileSync(config, '[consumer]\nconsumers = ["./nope.js:x"]\n');
      const bad = [
        startCli(['hub', '--config', config], bus.env, undefined, { cwd: FIXTURES }),
        startCli(['hub', '--consumer', `${HANDLERS}:notAConsumer`, '--topic', 'bodhi.#'], bus.env, undefined, { cwd: FIXTURES }),
        startCli(['hub', '--consumer', `${HANDLERS}:record`, '--topic', 'bodhi.#'], { ...bus.env, STATBUS_CONSUMER__HEALTH_PORT: String(busyPort) }, undefined, {
          cwd: FIXTURES,
        }),
      ];
      running.push(...bad);
      expect(await Promise.all(bad.map((hub) => hub.exited))).toEqual([1, 1, 1]);
      expect(bad[2]?.stderr()).toMatch(/health_port: cannot listen/u);
      expect(await bus.queued()).toBe(1);

      const record = join(scratch.dir, 'record.ndjson');
      const good = await startHub(['--consumer', `${HANDLERS}:record`, '--topic', 'bodhi.#'], bus.env, record, running);
      await waitForCounters(good.port, (c) => c.processed >= 1, 'the waiting message processed');
      expect(readRecords(record).map((line) => line.n)).toEqual([1]);
    } finally {
      await Promise.all(running.map((process) => process.stop()));
      busy.close();
      await bus.cleanup();
      scratch.remove();
    }
  });
});
