import Database from 'better-sqlite3';
import { startTcpProxy, type TcpProxy, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AMQP_URL, brokerUp } from '../support/hub-bus.js';
import { nomBus, publishMany, publisher, startNom, waitStored, type NomBus, type RunningNom } from './support/nom-bus.js';

const haveBroker = await brokerUp();
const BATCH = { STATBUS_SINK__BATCH_SIZE: '20', STATBUS_SINK__MAX_WAIT_MS: '20' };

/** The counters `statbus nom` prints when it stops. */
function finalCounters(stderr: string): { archived: number; duplicates: number } {
  const json = /statbus nom: stopped; (\{.*\})/u.exec(stderr)?.[1];
  if (json === undefined) throw new Error(`no counters on stderr: ${stderr}`);
  return JSON.parse(json) as { archived: number; duplicates: number };
}

describe.skipIf(!haveBroker)('fault: archiver killed with SIGKILL (needs RabbitMQ)', () => {
  let bus: NomBus;
  let proxy: TcpProxy | undefined;
  const running: RunningNom[] = [];

  beforeEach(() => {
    bus = nomBus();
  });
  afterEach(async () => {
    for (const nom of running.splice(0)) await nom.cli.stop('SIGKILL');
    await proxy?.close();
    proxy = undefined;
    await bus.cleanup();
  });

  describe('when killed holding messages it has not written', () => {
    it('should have them redelivered to the next archiver and stored once', { timeout: 60_000 }, async () => {
      const first = await startNom(bus.env(undefined, BATCH), bus.dir);
      running.push(first);
      const pub = await publisher(bus.config());
      const lock = new Database(bus.archive);
      try {
        lock.exec('BEGIN EXCLUSIVE');
        const confirmed = await publishMany(pub, 200);
        // It took what its prefetch allows and cannot write it.
        await waitFor(async () => (await bus.queued()) <= 200 - 20, { message: 'the archiver holding deliveries' });
        expect(await first.cli.stop('SIGKILL')).toBe('SIGKILL');
        lock.exec('COMMIT');
        expect(bus.stored().rows).toBe(0);
        const second = await startNom(bus.env(undefined, BATCH), bus.dir);
        running.push(second);
        await waitStored(bus, confirmed.length);
        expect(bus.stored()).toEqual({ rows: 200, ids: 200 });
      } finally {
        if (lock.inTransaction) lock.exec('COMMIT');
        lock.close();
        await pub.transport.close();
      }
    });
  });

  describe('when killed after writing and before its acks reached the broker', () => {
    it('should have them redelivered, counted as duplicates and stored once', { timeout: 60_000, retry: 2 }, async () => {
      const broker = new URL(AMQP_URL);
      proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
      const first = await startNom(bus.env(proxy.url(), BATCH), bus.dir);
      running.push(first);
      const pub = await publisher(bus.config());
      const lock = new Database(bus.archive);
      try {
        lock.exec('BEGIN EXCLUSIVE');
        const confirmed = await publishMany(pub, 200);
        await waitFor(async () => (await bus.queued()) <= 200 - 20, { message: 'the archiver holding deliveries' });
        // Acks can no longer reach the broker; then let the writes through.
        proxy.freeze();
        lock.exec('COMMIT');
        await waitFor(() => bus.stored().rows >= 20, { message: 'the held messages written' });
        expect(await first.cli.stop('SIGKILL')).toBe('SIGKILL');
        // The broker requeues a dead consumer's deliveries when its connection closes: close it now rather than
        // leave the frozen one to the heartbeat, so the redelivery comes while the second archiver runs.
        proxy.cut();
        const written = bus.stored().rows;
        const second = await startNom(bus.env(undefined, BATCH), bus.dir);
        running.push(second);
        await waitStored(bus, confirmed.length);
        // Stored rows reach 200 before the redelivered ones (already stored) are handled: wait for the queue to empty.
        await waitFor(async () => (await bus.queued()) === 0, { message: 'every delivery handed to the second archiver' });
        expect(bus.stored()).toEqual({ rows: 200, ids: 200 });
        await second.cli.stop('SIGTERM');
        const counters = finalCounters(second.cli.stderr());
        expect(counters.duplicates).toBe(written);
        expect(counters.archived).toBe(200 - written);
      } finally {
        if (lock.inTransaction) lock.exec('COMMIT');
        lock.close();
        await pub.transport.close();
      }
    });
  });
});
