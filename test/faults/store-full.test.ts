import Database from 'better-sqlite3';
import { silentLogger } from '@statbus/core';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { waitFor } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokerUp } from '../support/hub-bus.js';
import { nomBus, publishMany, publisher, waitStored, type NomBus } from './support/nom-bus.js';

const haveBroker = await brokerUp();

describe.skipIf(!haveBroker)('fault: archive full (SQLite max_page_count; needs RabbitMQ)', () => {
  let bus: NomBus;

  beforeEach(() => {
    bus = nomBus();
  });
  afterEach(async () => {
    await bus.cleanup();
  });

  it('should stop acking and say not ready, hold no more than its prefetch, then resume once space is freed and lose nothing', { timeout: 60_000 }, async () => {
    // A file whose room is taken by a filler table, capped at its current size.
    const seed = new SqliteMessageStore(bus.archive);
    await seed.init();
    await seed.close();
    const raw = new Database(bus.archive);
    raw.exec('CREATE TABLE filler (b BLOB)');
    const fill = raw.prepare('INSERT INTO filler (b) VALUES (randomblob(4000))');
    raw.transaction(() => {
      for (let index = 0; index < 300; index += 1) fill.run();
    })();
    raw.pragma('wal_checkpoint(TRUNCATE)');
    const pages = raw.pragma('page_count', { simple: true }) as number;

    const store = new SqliteMessageStore(bus.archive, { maxPageCount: pages + 1 });
    await store.init();
    const transport = new AmqpTransport(bus.config(), silentLogger);
    await transport.connect();
    const archiver = new Archiver(transport, store, { topic_prefix: 'org.statbus' }, silentLogger, {
      queue: bus.queue,
      batchSize: 20,
      maxWaitMs: 20,
      retryInitialMs: 50,
      retryMaxMs: 200,
    });
    const pub = await publisher(bus.config());
    try {
      await archiver.start();
      const confirmed = await publishMany(pub, 300);
      expect(confirmed).toHaveLength(300);
      const failing = await waitFor(() => {
        const health = archiver.health();
        return health.store === 'failing' ? health : undefined;
      }, { message: 'the archiver reporting failing writes' });
      expect(failing.ready).toBe(false);
      expect(failing.lastError).toMatch(/full/iu);
      // Nothing acked that is not written; what it did not take waits in the broker.
      expect(await bus.queued()).toBeGreaterThanOrEqual(300 - 40 - 20);
      const storedWhileFull = bus.stored().rows;
      expect(storedWhileFull).toBeLessThan(300);

      raw.exec('DELETE FROM filler');
      await waitStored(bus, 300);
      await waitFor(() => archiver.health().ready, { message: 'ready again' });
      expect(bus.stored()).toEqual({ rows: 300, ids: 300 });
      expect(archiver.counters()).toMatchObject({ archived: 300, rejected: 0 });
      expect(archiver.counters().retries).toBeGreaterThan(0);
    } finally {
      raw.close();
      await archiver.stop();
      await pub.transport.close();
      await transport.close();
      await store.close();
    }
  });
});
