import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';
import { AMQP_URL, brokerUp } from './support/hub-bus.js';

interface Topology {
  readonly name: string;
  readonly env: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>;
}

const zeromq: Topology = {
  name: 'zeromq (relay on ipc://)',
  env: () => {
    const base = join(tmpdir(), `statbus-cli-${randomUUID()}`);
    return Promise.resolve({
      env: { STATBUS_TRANSPORT: 'zeromq', STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${base}-in`, STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${base}-out` },
      cleanup: () => Promise.resolve(),
    });
  },
};

const amqp: Topology = {
  name: `amqp (RabbitMQ at ${AMQP_URL})`,
  env: () => {
    const exchange = `statbus.test.cli.${randomUUID()}`;
    return Promise.resolve({
      env: { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__EXCHANGE: exchange, STATBUS_AMQP__URL: AMQP_URL },
      cleanup: async () => {
        const connection = await connect(AMQP_URL);
        const channel = await connection.createChannel();
        await channel.deleteExchange(exchange);
        await connection.close();
      },
    });
  },
};

const haveBroker = await brokerUp();

describe.each([zeromq, ...(haveBroker ? [amqp] : [])])('statbus relay, tail and publish over $name', (topology) => {
  const running: CliProcess[] = [];
  let cleanup: () => Promise<void> = () => Promise.resolve();

  afterEach(async () => {
    await Promise.all(running.splice(0).map((process) => process.stop()));
    await cleanup();
  });

  async function bus(): Promise<Record<string, string>> {
    const made = await topology.env();
    cleanup = made.cleanup;
    const relay = startCli(['relay'], made.env);
    running.push(relay);
    await relay.ready('statbus relay:');
    return made.env;
  }

  it('should carry lines published from the CLI to tail, with headers', async () => {
    const env = await bus();
    const tail = startCli(['tail', '--topic', 'bodhi.#', '--json', '--count', '2'], env);
    running.push(tail);
    await tail.ready('statbus tail: listening');
    const publish = startCli(['publish', '--topic', 'bodhi.update.comment', '--user', 'alice', '--package', 'kernel'], env, 'first line\n\nsecond line\n');
    expect(await publish.exited).toBe(0);
    expect(await tail.exited).toBe(0);
    const received = tail
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { topic: string; body: { message: string }; headers: Record<string, string>; seq: number });
    expect(received.map((envelope) => envelope.body.message)).toEqual(['first line', 'second line']);
    expect(received.every((envelope) => envelope.topic === 'org.statbus.dev.bodhi.update.comment')).toBe(true);
    expect(received[0]?.headers).toMatchObject({ usernames: 'alice', packages: 'kernel' });
    expect(received.map((envelope) => envelope.seq)).toEqual([1, 2]);
  });

  it('should refuse malformed JSON lines by number, exit 1, and still publish the good ones', async () => {
    const env = await bus();
    const tail = startCli(['tail', '--json', '--count', '2'], env);
    running.push(tail);
    await tail.ready('statbus tail: listening');
    const publish = startCli(['publish', '--json', '--topic', 'copr.build.end'], env, '{"build": 1}\n{"build": \n[1, 2]\n{"build": 3}\n');
    expect(await publish.exited).toBe(1);
    expect(publish.stderr()).toMatch(/2 published, 2 refused/);
    expect(publish.stderr()).toMatch(/line 2: not valid JSON/);
    expect(publish.stderr()).toMatch(/line 3: a message body must be a JSON object/);
    expect(await tail.exited).toBe(0);
    expect(tail.stdout().trim().split('\n').map((line) => (JSON.parse(line) as { body: unknown }).body)).toEqual([{ build: 1 }, { build: 3 }]);
  });

  it('should refuse a topic outside the grammar with one usage error (exit 2)', async () => {
    const env = await bus();
    const publish = startCli(['publish', '--topic', 'bad..topic', '--message', 'x'], env);
    expect(await publish.exited).toBe(2);
    expect(publish.stderr()).toMatch(/^statbus: --topic: Invalid topic/);
  });

  it('should stop the relay cleanly on SIGTERM', async () => {
    await bus();
    const relay = running[0] as CliProcess;
    expect(await relay.stop('SIGTERM')).toBe(0);
  });
});

if (!haveBroker) {
  describe.skip(`statbus relay, tail and publish over amqp — skipped: no RabbitMQ at ${AMQP_URL}`, () => {
    it('needs RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)', () => undefined);
  });
}
