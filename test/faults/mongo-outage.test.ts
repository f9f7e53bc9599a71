import { randomUUID } from 'node:crypto';
import { createEnvelope, silentLogger } from '@statbus/core';
import { Archiver, MongoMessageStore } from '@statbus/sink';
import { MemoryBus, MemoryTransport, startTcpProxy, waitFor } from '@statbus/testing';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { TOPIC } from './support/nom-bus.js';

// Tests may read the environment: MONGODB_URL names a MongoDB server (docker-compose's `mongodb`).
const MONGODB_URL = process.env['MONGODB_URL'];

describe.skipIf(MONGODB_URL === undefined)('fault: MongoDB unreachable under the archiver (set MONGODB_URL)', () => {
  it('should stop acking and say not ready while the server is unreachable, then resume and lose nothing', { timeout: 60_000 }, async () => {
    const server = new URL(MONGODB_URL ?? '');
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 27017) });
    const viaProxy = new URL(MONGODB_URL ?? '');
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const database = `statbus_fault_${randomUUID().replaceAll('-', '')}`;
    const client = { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000, directConnection: true };
    const store = new MongoMessageStore(viaProxy.toString(), { database, client });
    const bus = new MemoryBus();
    const transport = new MemoryTransport(bus, { maxDeliveries: 1_000 });
    const publisher = new MemoryTransport(bus);
    const archiver = new Archiver(transport, store, { topic_prefix: 'org.statbus' }, silentLogger, { batchSize: 10, maxWaitMs: 10, retryInitialMs: 50, retryMaxMs: 200 });
    const direct = new MongoClient(MONGODB_URL ?? '');
    const stored = async (): Promise<number> => direct.db(database).collection('messages').countDocuments();
    let seq = 0;
    const publish = async (count: number): Promise<void> => {
      for (let index = 0; index < count; index += 1) {
        seq += 1;
        await publisher.publish(createEnvelope({ topic: TOPIC, seq, producer: { name: 'faults', host: 'test', pid: 1, instance: 'mongo' }, body: { n: seq } }));
      }
    };
    try {
      await store.init();
      await transport.connect();
      await publisher.connect();
      await archiver.start();
      await publish(50);
      await waitFor(async () => (await stored()) === 50, { message: '50 archived' });
      proxy.refuse(true);
      proxy.cut();
      await publish(50);
      const health = await waitFor(() => (archiver.health().ready ? undefined : archiver.health()), { timeoutMs: 15_000, message: 'not ready while unreachable' });
      expect(['failing', 'stalled']).toContain(health.store);
      expect(archiver.counters().archived).toBe(50);
      proxy.refuse(false);
      await waitFor(async () => (await stored()) === 100, { timeoutMs: 30_000, message: '100 archived after the outage' });
      await waitFor(() => archiver.health().ready, { message: 'ready again' });
      expect(archiver.counters()).toMatchObject({ archived: 100, rejected: 0 });
    } finally {
      await archiver.stop();
      await transport.close();
      await publisher.close();
      await store.close();
      await direct.db(database).dropDatabase().catch(() => undefined);
      await direct.close();
      await proxy.close();
    }
  });
});
