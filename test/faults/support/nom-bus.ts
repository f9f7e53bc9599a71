import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configSchema, createEnvelope, silentLogger, type Envelope, type StatbusConfig } from '@statbus/core';
import { AmqpTransport } from '@statbus/transport-amqp';
import { freePort, waitFor } from '@statbus/testing';
import { connect, type Channel } from 'amqplib';
import { startCli, type CliProcess } from '../../support/cli-process.js';
import { AMQP_URL } from '../../support/hub-bus.js';

export const TOPIC = 'org.statbus.dev.koji.build.complete';

/** Unique AMQP names, a scratch SQLite archive, and the environment `statbus nom` runs with over them. */
export interface NomBus {
  readonly dir: string;
  readonly archive: string;
  readonly queue: string;
  readonly config: (url?: string) => StatbusConfig;
  /** The environment of a `statbus nom` reaching the broker at `url` (default the broker itself). */
  env(url?: string, extra?: Record<string, string>): Record<string, string>;
  /** Messages in the archive, and distinct ids among them. */
  stored(): { rows: number; ids: number };
  /** Messages ready in the archive queue (not handed to any consumer). */
  queued(): Promise<number>;
  /** The dead-letter queue's messages, taken off it: their bodies (raw text) and `x-statbus-drop-reason`. */
  deadLetters(): Promise<{ text: string; reason: unknown }[]>;
  cleanup(): Promise<void>;
}

export function nomBus(): NomBus {
  const base = `statbus.test.faults.${randomUUID()}`;
  const names = { exchange: base, queue: `${base}.archive`, dlx: `${base}.dlx`, dlq: `${base}.dead` };
  const dir = mkdtempSync(join(tmpdir(), 'statbus-faults-'));
  const archive = join(dir, 'archive.db');
  const amqp = (url: string) => ({ url, exchange: names.exchange, dead_letter_exchange: names.dlx, dead_letter_queue: names.dlq });
  const withChannel = async <T>(use: (channel: Channel) => Promise<T>): Promise<T> => {
    const connection = await connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      return await use(channel);
    } finally {
      await connection.close().catch(() => undefined);
    }
  };
  return {
    dir,
    archive,
    queue: names.queue,
    config: (url = AMQP_URL) =>
      configSchema.parse({ transport: 'amqp', amqp: { ...amqp(url), reconnect_initial_ms: 20, reconnect_max_ms: 200 } }),
    env: (url = AMQP_URL, extra = {}) => ({
      STATBUS_CONFIG: '',
      STATBUS_TRANSPORT: 'amqp',
      STATBUS_STORE: `sqlite:${archive}`,
      STATBUS_AMQP__URL: url,
      STATBUS_AMQP__EXCHANGE: names.exchange,
      STATBUS_AMQP__DEAD_LETTER_EXCHANGE: names.dlx,
      STATBUS_AMQP__DEAD_LETTER_QUEUE: names.dlq,
      STATBUS_AMQP__RECONNECT_INITIAL_MS: '50',
      STATBUS_AMQP__RECONNECT_MAX_MS: '500',
      STATBUS_SINK__QUEUE: names.queue,
      ...extra,
    }),
    stored: () => {
      const db = new Database(archive, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM messages').get() as { rows: number; ids: number };
      } finally {
        db.close();
      }
    },
    queued: () => withChannel(async (channel) => (await channel.checkQueue(names.queue)).messageCount),
    deadLetters: () =>
      withChannel(async (channel) => {
        const letters: { text: string; reason: unknown }[] = [];
        for (let message = await channel.get(names.dlq, { noAck: true }); message !== false; message = await channel.get(names.dlq, { noAck: true })) {
          letters.push({ text: message.content.toString('utf8'), reason: message.properties.headers?.['x-statbus-drop-reason'] });
        }
        return letters;
      }),
    cleanup: async () => {
      await withChannel(async (channel) => {
        for (const queue of [names.queue, names.dlq]) await channel.deleteQueue(queue).catch(() => undefined);
      }).catch(() => undefined);
      await withChannel(async (channel) => {
        for (const exchange of [names.exchange, names.dlx]) await channel.deleteExchange(exchange).catch(() => undefined);
      }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running `statbus nom` with its `/ready` URL. */
export interface RunningNom {
  readonly cli: CliProcess;
  readonly ready: string;
}

/** Starts `statbus nom --health-port` and waits until it archives. */
export async function startNom(env: Record<string, string>, cwd: string): Promise<RunningNom> {
  const port = await freePort();
  const cli = startCli(['nom', '--health-port', String(port), '--log-level', 'warn'], env, undefined, { cwd });
  await cli.ready('statbus nom: archiving');
  return { cli, ready: `http://127.0.0.1:${port}/ready` };
}

/** One `/ready` answer and how long it took (ms). */
export async function probe(url: string): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, ms: performance.now() - started, body };
}

/** An AMQP publisher whose `publish` resolves once the broker confirmed. */
export async function publisher(config: StatbusConfig): Promise<{ transport: AmqpTransport; make: (n: number) => Envelope }> {
  const transport = new AmqpTransport(config, silentLogger);
  await transport.connect();
  const instance = randomUUID();
  let seq = 0;
  return {
    transport,
    make: (n) => {
      seq += 1;
      return createEnvelope({ topic: TOPIC, seq, producer: { name: 'faults', host: 'test', pid: process.pid, instance }, body: { n } });
    },
  };
}

/** Publishes `count` messages, returning the ids the broker confirmed (a publish that failed is not confirmed). */
export async function publishMany(bus: Awaited<ReturnType<typeof publisher>>, count: number, from = 0): Promise<string[]> {
  const confirmed: string[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const envelope = bus.make(from + index);
      try {
        await bus.transport.publish(envelope);
        confirmed.push(envelope.id);
      } catch {
        // Not confirmed: the test promises nothing about it.
      }
    }),
  );
  return confirmed;
}

/** Waits until the archive holds `count` rows. */
export async function waitStored(bus: NomBus, count: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => bus.stored().rows >= count, { timeoutMs, intervalMs: 50, message: `${count} messages archived (have ${bus.stored().rows})` });
}
