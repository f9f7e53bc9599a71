import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, createEnvelope, silentLogger, type StatbusConfig } from '@statbus/core';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { freePort, waitFor } from '@statbus/testing';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonHas, startPython } from './support/python-peer.js';

const zmq = pythonHas('zmq');

function zeromqConfig(zeromq: Record<string, unknown>): StatbusConfig {
  return configSchema.parse({
    transport: 'zeromq',
    topic_prefix: 'org.fedoraproject',
    environment: 'prod',
    // A fedmsg peer answers no readiness probe: do not wait long for one.
    zeromq: { use_relay: false, ready_timeout_ms: 200, linger_ms: 0, ...zeromq },
  });
}

const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface FedmsgLine {
  readonly frame_topic: string;
  readonly message: Record<string, unknown>;
}

describe.skipIf(!zmq)("fedmsg's wire format with Debian python3-zmq (skipped: /usr/bin/python3 cannot import zmq)", () => {
  it('should archive what a pyzmq publisher sends as fedmsg does, keeping msg_id, timestamp, i and username', async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`;
    const messages = [
      { topic: 'org.fedoraproject.prod.git.receive', msg: { commit: { repo: 'valgrind', username: 'mjw' } } },
      { topic: 'org.fedoraproject.prod.bodhi.update.comment', msg: { comment: { text: 'works' } } },
      { topic: 'org.fedoraproject.prod.logger.log', msg: { log: 'hello' } },
    ];
    const publisher = startPython('zmq_publish_fedmsg.py', [address], JSON.stringify(messages));
    cleanups.push(() => publisher.stop());
    const dir = mkdtempSync(join(tmpdir(), 'statbus-fedmsg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = new SqliteMessageStore(join(dir, 'archive.db'));
    await store.init();
    cleanups.push(() => store.close());
    const config = zeromqConfig({ endpoints: { fedmsg: [address] } });
    const transport = new ZeroMqTransport(config, silentLogger);
    await transport.connect();
    cleanups.push(() => transport.close());
    const archiver = new Archiver(transport, store, config, silentLogger, { batchSize: 10, maxWaitMs: 5 });
    await archiver.start();
    cleanups.push(() => archiver.stop());

    const [idsLine] = await publisher.finished();
    const ids = JSON.parse(idsLine ?? '[]') as string[];
    expect(ids).toHaveLength(3);
    await waitFor(async () => (await store.count({})).count === 3, { timeoutMs: 20_000, message: 'three fedmsg messages archived' });
    for (const [index, id] of ids.entries()) {
      const archived = await store.get(id);
      expect(archived?.envelope).toMatchObject({ id, topic: messages[index]?.topic, body: messages[index]?.msg, seq: index + 1, producer: { instance: 'fedmsg' } });
      expect(archived?.envelope.time).toBe(Math.floor((archived?.envelope.time ?? 0) / 1000) * 1000);
      expect(Math.abs((archived?.envelope.time ?? 0) - Date.now())).toBeLessThan(120_000);
      expect(archived?.envelope.producer.name).not.toBe('');
    }
    expect((await store.find({ categories: ['git'] })).messages.map((message) => message.envelope.id)).toEqual([ids[0]]);
    expect(transport.counters().gaps).toBe(0);
  });

  it("should publish fedmsg frames a pyzmq subscriber parses as fedmsg's tail does", async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`;
    const transport = new ZeroMqTransport(zeromqConfig({ bind: [address], wire_format: 'fedmsg' }), silentLogger);
    await transport.connect();
    cleanups.push(() => transport.close());
    const warm = 'statbus.test.warm.up';
    const subscriber = startPython('zmq_subscribe_fedmsg.py', [address, 'org.fedoraproject.', warm, '3']);
    cleanups.push(() => subscriber.stop());
    const producer = { name: 'pagure', host: 'pagure01', pid: 3, instance: 'instance-1' };
    let seq = 0;
    const next = (topic: string, body: Record<string, string>, headers: Record<string, string> = {}): ReturnType<typeof createEnvelope> => {
      seq += 1;
      return createEnvelope({ topic, seq, producer, body, headers });
    };
    // Until the subscription is live a PUB socket drops: send a warm-up message until the subscriber saw one.
    await waitFor(
      async () => {
        await transport.publish(next(warm, {}));
        return subscriber.lines().includes('WARM');
      },
      { intervalMs: 20, timeoutMs: 20_000, message: 'the pyzmq subscriber is live' },
    );
    const sent = [
      next('org.fedoraproject.prod.git.receive', { repo: 'valgrind' }, { usernames: 'mjw', packages: 'valgrind' }),
      next('org.fedoraproject.prod.pagure.pull-request.new', { title: 'fix' }),
      next('org.fedoraproject.prod.logger.log', { log: 'bye' }),
    ];
    for (const envelope of sent) await transport.publish(envelope);
    const lines = (await subscriber.finished()).filter((line) => line !== 'WARM').map((line) => JSON.parse(line) as FedmsgLine);
    expect(lines).toHaveLength(3);
    for (const [index, line] of lines.entries()) {
      const envelope = sent[index];
      expect(line.frame_topic).toBe(envelope?.topic);
      expect(line.message).toMatchObject({
        topic: envelope?.topic,
        msg: envelope?.body,
        msg_id: envelope?.id,
        timestamp: (envelope?.time ?? 0) / 1000,
        i: envelope?.seq,
        username: 'pagure',
      });
    }
  });
});
