import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsumerCounters } from '@statbus/consumer';
import { freePort, tcpAnswers, waitFor } from '@statbus/testing';
import { connect, type Channel } from 'amqplib';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startCli, type CliOptions, type CliProcess } from './cli-process.js';

// Kept importable from here for the tests that take their other helpers from this file.
export { freePort } from '@statbus/testing';

/** The broker the tests use: `AMQP_URL` (not `STATBUS_*`, which the CLI reads as config), else the local RabbitMQ. */
export const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';

/** `test/fixtures`: hubs run there, so `--consumer ./hub-handlers.js:behave` resolves from it. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The fixture module, relative to {@link FIXTURES}. */
export const HANDLERS = './hub-handlers.js';

/** Whether RabbitMQ accepts connections at {@link AMQP_URL}. */
export function brokerUp(): Promise<boolean> {
  return tcpAnswers(AMQP_URL);
}

/** What one test gets: the `STATBUS_*` variables of its bus, and (over AMQP) its queues. */
export interface HubBus {
  readonly env: Record<string, string>;
  /** Decoded bodies of what reached the dead-letter queue (taken off it); `undefined` over ZeroMQ, which has none. */
  deadLettered(): Promise<Record<string, unknown>[] | undefined>;
  /** Messages ready in the hub's queue; `undefined` over ZeroMQ. */
  queued(): Promise<number | undefined>;
  cleanup(): Promise<void>;
}

/** A test's bus over RabbitMQ, with the names of what it declares. */
export interface AmqpHubBus extends HubBus {
  readonly names: { readonly exchange: string; readonly queue: string; readonly deadLetterExchange: string; readonly deadLetterQueue: string };
}

/** One transport the hub tests run over: `open` once per describe (the relay), `bus` once per test. */
export interface HubTransport {
  readonly name: string;
  readonly kind: 'zeromq' | 'amqp';
  open(): Promise<void>;
  close(): Promise<void>;
  bus(): Promise<HubBus>;
}

/** ZeroMQ through one relay on unique ipc:// paths, shared by the tests of a describe (they run one after another). */
export function zeromqTransport(): HubTransport {
  const base = join(tmpdir(), `statbus-hub-${randomUUID()}`);
  const env = { STATBUS_TRANSPORT: 'zeromq', STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${base}-in`, STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${base}-out` };
  let relay: CliProcess | undefined;
  return {
    name: 'zeromq (relay on ipc://)',
    kind: 'zeromq',
    open: async () => {
      relay = startCli(['relay'], env);
      await relay.ready('statbus relay:');
    },
    close: async () => {
      await relay?.stop();
    },
    bus: () =>
      Promise.resolve({
        env,
        deadLettered: () => Promise.resolve(undefined),
        queued: () => Promise.resolve(undefined),
        cleanup: () => Promise.resolve(),
      }),
  };
}

/** RabbitMQ with a unique exchange, hub queue (the consumer group), dead-letter exchange and queue per test, deleted after it. */
export function amqpTransport(): Omit<HubTransport, 'bus'> & { bus(): Promise<AmqpHubBus> } {
  return {
    name: `amqp (RabbitMQ at ${AMQP_URL})`,
    kind: 'amqp',
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    bus: () => {
      const base = `statbus.test.hub.${randomUUID()}`;
      const [exchange, queue, dlx, dlq] = [base, `${base}.queue`, `${base}.dlx`, `${base}.dead`];
      const withChannel = async <T>(use: (channel: Channel) => Promise<T>): Promise<T> => {
        const connection = await connect(AMQP_URL);
        try {
          return await use(await connection.createChannel());
        } finally {
          await connection.close();
        }
      };
      return Promise.resolve({
        names: { exchange, queue, deadLetterExchange: dlx, deadLetterQueue: dlq },
        env: {
          STATBUS_TRANSPORT: 'amqp',
          STATBUS_AMQP__URL: AMQP_URL,
          STATBUS_AMQP__EXCHANGE: exchange,
          STATBUS_AMQP__DEAD_LETTER_EXCHANGE: dlx,
          STATBUS_AMQP__DEAD_LETTER_QUEUE: dlq,
          STATBUS_CONSUMER__GROUP: queue,
        },
        deadLettered: () =>
          withChannel(async (channel) => {
            const bodies: Record<string, unknown>[] = [];
            for (let message = await channel.get(dlq, { noAck: true }); message !== false; message = await channel.get(dlq, { noAck: true })) {
              bodies.push((JSON.parse(message.content.toString('utf8')) as { body: Record<string, unknown> }).body);
            }
            return bodies;
          }),
        queued: () => withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount),
        cleanup: async () => {
          const connection = await connect(AMQP_URL);
          try {
            for (const remove of [
              (channel: Channel) => channel.deleteQueue(queue),
              (channel: Channel) => channel.deleteQueue(dlq),
              (channel: Channel) => channel.deleteExchange(dlx),
              (channel: Channel) => channel.deleteExchange(exchange),
            ]) {
              // A fresh channel each: a failed delete closes its channel.
              const channel = await connection.createChannel();
              await remove(channel).catch(() => undefined);
              await channel.close().catch(() => undefined);
            }
          } finally {
            await connection.close();
          }
        },
      });
    },
  };
}

/** The transports to run over: ZeroMQ always, AMQP when the broker answers. */
export async function hubTransports(): Promise<{ transports: HubTransport[]; haveBroker: boolean }> {
  const haveBroker = await brokerUp();
  return { transports: [zeromqTransport(), ...(haveBroker ? [amqpTransport()] : [])], haveBroker };
}

/** A scratch directory for one test (record file, config, keys, schemas). */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-hub-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One line the fixture wrote: what a handler did with which message. */
export interface Recorded {
  readonly event: 'processed' | 'drop' | 'nack' | 'halt' | 'start';
  readonly n: number;
  readonly id: string;
  readonly topic: string;
  readonly attempt: number;
  readonly pid: number;
}

/** What the fixture recorded in `file` so far. */
export function readRecords(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Recorded);
}


/** The hub's counters, from its `/live` endpoint. */
export async function hubCounters(port: number): Promise<ConsumerCounters> {
  const response = await fetch(`http://127.0.0.1:${port}/live`);
  return ((await response.json()) as { counters: ConsumerCounters }).counters;
}

/** Waits until the hub's counters satisfy `predicate`, and returns them. */
export async function waitForCounters(port: number, predicate: (counters: ConsumerCounters) => boolean, what: string): Promise<ConsumerCounters> {
  let last: ConsumerCounters | undefined;
  return waitFor(
    async () => {
      last = await hubCounters(port);
      return predicate(last) ? last : undefined;
    },
    { timeoutMs: 20_000, message: `hub counters: ${what} (last: ${JSON.stringify(last)})` },
  );
}

/** A running hub and where to read what it did. */
export interface RunningHub {
  readonly process: CliProcess;
  readonly port: number;
}

/**
 * Starts `statbus hub ...args` in {@link FIXTURES} with its health server on a free port and the fixture
 * recording to `record`, and waits until it consumes.
 */
export async function startHub(args: readonly string[], env: Record<string, string>, record: string, running: CliProcess[]): Promise<RunningHub> {
  const port = await freePort();
  const hub = startCli(['hub', ...args], { ...env, HUB_FIXTURE_RECORD: record, STATBUS_CONSUMER__HEALTH_PORT: String(port) }, undefined, { cwd: FIXTURES });
  running.push(hub);
  await hub.ready('statbus hub:');
  return { process: hub, port };
}

/** The JSON log lines (pino) a command wrote on stderr. */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** What the tests of one describe share: the processes to stop and a per-test bus and scratch directory. */
export interface HubTestContext {
  /** Processes stopped after each test. */
  readonly running: CliProcess[];
  /** A bus, a scratch directory and a record file for this test; all cleaned up after it. */
  setup(): Promise<{ bus: HubBus; dir: string; record: string }>;
}

/** Registers the hooks of a describe over `transport`: open it before, close it after, clean up after each test. */
export function useHubTransport(transport: HubTransport): HubTestContext {
  const running: CliProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(() => transport.open());
  afterAll(() => transport.close());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((process) => process.stop()));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    running,
    setup: async () => {
      const bus = await transport.bus();
      cleanups.push(() => bus.cleanup());
      const scratch = scratchDir();
      cleanups.push(scratch.remove);
      return { bus, dir: scratch.dir, record: join(scratch.dir, 'record.ndjson') };
    },
  };
}

/** `statbus publish --json` of one line per body (`topic` after `<prefix>.<env>.`). */
export function publishBodies(env: Record<string, string>, bodies: readonly object[], topic = 'bodhi.update.comment', options: CliOptions = {}): CliProcess {
  return startCli(['publish', '--json', '--topic', topic], env, `${bodies.map((body) => JSON.stringify(body)).join('\n')}\n`, options);
}
