import { startTcpProxy, type TcpProxy, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AMQP_URL, brokerUp } from '../support/hub-bus.js';
import { nomBus, probe, publishMany, publisher, startNom, waitStored, type NomBus, type RunningNom } from './support/nom-bus.js';

const haveBroker = await brokerUp();
const BATCH = { STATBUS_SINK__BATCH_SIZE: '50', STATBUS_SINK__MAX_WAIT_MS: '20' };
const broker = new URL(AMQP_URL);

describe.skipIf(!haveBroker)('fault: AMQP connection trouble (needs RabbitMQ)', () => {
  let bus: NomBus;
  let proxy: TcpProxy;
  let nom: RunningNom | undefined;

  beforeEach(async () => {
    bus = nomBus();
    proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  });
  afterEach(async () => {
    await nom?.cli.stop('SIGKILL');
    nom = undefined;
    await proxy.close();
    await bus.cleanup();
  });

  describe('when the archiver\'s connection is cut mid-stream', () => {
    it('should archive every confirmed message exactly once', { timeout: 60_000 }, async () => {
      nom = await startNom(bus.env(proxy.url(), BATCH), bus.dir);
      const pub = await publisher(bus.config());
      try {
        const confirmed: string[] = [];
        for (let round = 0; round < 4; round += 1) {
          confirmed.push(...(await publishMany(pub, 500, round * 500)));
          await waitFor(() => bus.stored().rows > round * 500, { message: 'archiving under way' });
          proxy.cut();
        }
        expect(confirmed).toHaveLength(2000);
        await waitStored(bus, 2000);
        expect(bus.stored()).toEqual({ rows: 2000, ids: 2000 });
        expect(proxy.accepted).toBeGreaterThanOrEqual(5);
      } finally {
        await pub.transport.close();
      }
    });
  });

  describe('when the publisher\'s connection is cut mid-stream', () => {
    it('should archive every message the broker confirmed exactly once', { timeout: 60_000 }, async () => {
      nom = await startNom(bus.env(undefined, BATCH), bus.dir);
      const pub = await publisher(bus.config(proxy.url()));
      try {
        const confirmed: string[] = [];
        for (let round = 0; round < 4; round += 1) {
          const publishing = publishMany(pub, 500, round * 500);
          await waitFor(() => bus.stored().rows > 0 || round > 0, { message: 'publishing under way' });
          proxy.cut();
          confirmed.push(...(await publishing));
        }
        await waitStored(bus, confirmed.length);
        const stored = bus.stored();
        expect(stored.rows).toBe(stored.ids);
        expect(stored.rows).toBeGreaterThanOrEqual(confirmed.length);
        const db = await import('better-sqlite3');
        const reader = new db.default(bus.archive, { readonly: true });
        try {
          const has = reader.prepare('SELECT 1 FROM messages WHERE id = ?');
          expect(confirmed.filter((id) => has.get(id) === undefined)).toEqual([]);
        } finally {
          reader.close();
        }
      } finally {
        await pub.transport.close();
      }
    });
  });

  describe('when the archiver\'s connection stalls (a dead path only heartbeats notice)', () => {
    it('should say not ready within seconds, reconnect, and archive everything once', { timeout: 60_000 }, async () => {
      nom = await startNom(bus.env(proxy.url(), { ...BATCH, STATBUS_AMQP__HEARTBEAT_S: '1' }), bus.dir);
      const running = nom;
      const pub = await publisher(bus.config());
      try {
        const before = await publishMany(pub, 200);
        await waitStored(bus, before.length);
        expect((await probe(running.ready)).status).toBe(200);
        const stalledAt = Date.now();
        proxy.freeze();
        const during = await publishMany(pub, 200, 200);
        const notReady = await waitFor(async () => {
          const answer = await probe(running.ready);
          return answer.status === 503 ? answer : undefined;
        }, { timeoutMs: 15_000, intervalMs: 50, message: '/ready saying 503 during the stall' });
        expect(notReady.ms).toBeLessThan(1_000);
        expect(notReady.body['transport']).toBe('disconnected');
        console.info(`fault broker-stall: 503 after ${Date.now() - stalledAt} ms (heartbeat 1 s)`);
        await waitFor(async () => (await probe(running.ready)).status === 200, { timeoutMs: 15_000, message: '/ready back to 200' });
        await waitStored(bus, before.length + during.length);
        expect(bus.stored()).toEqual({ rows: 400, ids: 400 });
      } finally {
        await pub.transport.close();
      }
    });
  });

  describe('when the archiver\'s connection stalls with the default heartbeat, then comes back', () => {
    it('should say not ready within seconds, ready again after the thaw on the same connection, and lose nothing', { timeout: 60_000 }, async () => {
      nom = await startNom(bus.env(proxy.url(), BATCH), bus.dir);
      const running = nom;
      const pub = await publisher(bus.config());
      try {
        const before = await publishMany(pub, 200);
        await waitStored(bus, before.length);
        expect((await probe(running.ready)).status).toBe(200);
        const accepted = proxy.accepted;
        const stalledAt = Date.now();
        proxy.freeze();
        const during = await publishMany(pub, 200, 200);
        const notReady = await waitFor(async () => {
          const answer = await probe(running.ready);
          return answer.status === 503 ? answer : undefined;
        }, { timeoutMs: 20_000, intervalMs: 50, message: '/ready saying 503 during the stall' });
        const after = Date.now() - stalledAt;
        expect(notReady.body['transport']).toBe('disconnected');
        // stall_timeout_ms (5 s by default) and a probe interval; the heartbeat (30 s) would need a minute.
        expect(after).toBeLessThan(10_000);
        expect(bus.stored().rows).toBe(200);
        proxy.thaw();
        await waitFor(async () => (await probe(running.ready)).status === 200, { timeoutMs: 15_000, message: '/ready back to 200 after the thaw' });
        await waitStored(bus, before.length + during.length);
        expect(bus.stored()).toEqual({ rows: 400, ids: 400 });
        expect(proxy.accepted).toBe(accepted);
        console.info(`fault broker-stall (default heartbeat): 503 after ${after} ms`);
      } finally {
        await pub.transport.close();
      }
    });
  });

  describe('when the broker refuses connections for a while', () => {
    it('should say not ready, keep trying, and archive what was published meanwhile once', { timeout: 60_000 }, async () => {
      nom = await startNom(bus.env(proxy.url(), BATCH), bus.dir);
      const running = nom;
      const pub = await publisher(bus.config());
      try {
        const before = await publishMany(pub, 100);
        await waitStored(bus, before.length);
        proxy.refuse(true);
        proxy.cut();
        await waitFor(async () => (await probe(running.ready)).status === 503, { timeoutMs: 10_000, message: '/ready saying 503 while refused' });
        const accepted = proxy.accepted;
        const during = await publishMany(pub, 300, 100);
        expect(bus.stored().rows).toBe(100);
        proxy.refuse(false);
        await waitFor(() => proxy.accepted > accepted, { timeoutMs: 10_000, message: 'the archiver reconnecting' });
        await waitStored(bus, before.length + during.length);
        await waitFor(async () => (await probe(running.ready)).status === 200, { timeoutMs: 10_000, message: '/ready back to 200' });
        expect(bus.stored()).toEqual({ rows: 400, ids: 400 });
      } finally {
        await pub.transport.close();
      }
    });
  });
});
