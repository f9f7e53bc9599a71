import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, createEnvelope, silentLogger, type Delivery, type StatbusConfig } from '@statbus/core';
import { createQueryServer } from '@statbus/query';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { tcpAnswers, waitFor } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonHas, startPython } from './support/python-peer.js';

const BROKER_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';
const PIKA_URL = BROKER_URL.replace('%2F', '%2F?heartbeat=0');

const up = await tcpAnswers(BROKER_URL);
const pika = pythonHas('pika');
const TOPIC = 'org.fedoraproject.prod.bodhi.update.comment';

function amqpConfig(wireFormat: 'statbus' | 'fedora-messaging'): StatbusConfig {
  const tag = randomBytes(6).toString('hex');
  return configSchema.parse({
    transport: 'amqp',
    topic_prefix: 'org.fedoraproject',
    environment: 'prod',
    amqp: {
      url: BROKER_URL,
      exchange: `statbus.test.fm.${tag}`,
      dead_letter_exchange: `statbus.test.fm.${tag}.dlx`,
      dead_letter_queue: `statbus.test.fm.${tag}.dlq`,
      connect_attempts: 1,
      close_timeout_ms: 2_000,
      wire_format: wireFormat,
    },
  });
}

const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function deleteNames(exchanges: readonly string[], queues: readonly string[]): Promise<void> {
  const model = await connect(BROKER_URL);
  try {
    for (const queue of queues) {
      const channel = await model.createChannel();
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    for (const exchange of exchanges) {
      const channel = await model.createChannel();
      await channel.deleteExchange(exchange).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await model.close();
  }
}

describe.skipIf(!up)(`fedora-messaging's wire format against RabbitMQ at ${BROKER_URL}`, () => {
  describe.skipIf(!pika)('with Debian python3-pika (skipped: /usr/bin/python3 cannot import pika)', () => {
    it('should archive what a pika publisher sends as fedora-messaging does, with users and packages from its markers', async () => {
      const config = amqpConfig('statbus');
      const queue = `statbus.test.fm.archive.${randomBytes(6).toString('hex')}`;
      cleanups.push(() => deleteNames([config.amqp.exchange, config.amqp.dead_letter_exchange], [queue, config.amqp.dead_letter_queue]));
      const dir = mkdtempSync(join(tmpdir(), 'statbus-fm-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const store = new SqliteMessageStore(join(dir, 'archive.db'));
      await store.init();
      cleanups.push(() => store.close());
      const transport = new AmqpTransport(config, silentLogger);
      await transport.connect();
      cleanups.push(() => transport.close());
      const archiver = new Archiver(transport, store, config, silentLogger, { queue, batchSize: 10, maxWaitMs: 5 });
      await archiver.start();
      cleanups.push(() => archiver.stop());

      const messages = [
        { topic: TOPIC, body: { comment: { text: 'karma +1' } }, users: ['jcline', 'bowlofeggs'], packages: ['python-requests'], schema: 'bodhi.update.comment.v1' },
        { topic: 'org.fedoraproject.prod.buildsys.build.state.change', body: { name: 'valgrind' }, users: ['mjw'], packages: ['valgrind'], severity: 30 },
        { topic: 'org.fedoraproject.prod.fas.user.create', body: { user: 'newbie' }, users: ['newbie'], severity: 10 },
      ];
      const publisher = startPython('pika_publish_fedora_messaging.py', [PIKA_URL, config.amqp.exchange], JSON.stringify(messages));
      const [idsLine] = await publisher.finished();
      const ids = JSON.parse(idsLine ?? '[]') as string[];
      expect(ids).toHaveLength(3);

      await waitFor(async () => (await store.count({})).count === 3, { timeoutMs: 20_000, message: 'three messages archived' });
      const first = await store.get(ids[0] ?? '');
      expect([...(first?.users ?? [])].sort()).toEqual(['bowlofeggs', 'jcline']);
      expect(first).toMatchObject({
        packages: ['python-requests'],
        category: 'bodhi',
        envelope: { id: ids[0], topic: TOPIC, body: messages[0]?.body, headers: { schema: 'bodhi.update.comment.v1', severity: 'info' } },
      });
      expect(Math.abs((first?.envelope.time ?? 0) - Date.now())).toBeLessThan(120_000);
      expect((await store.get(ids[1] ?? ''))?.envelope.headers).toMatchObject({ severity: 'warning', schema: 'base.message', packages: 'valgrind' });
      const byUser = await store.find({ users: ['jcline'] });
      expect(byUser.messages.map((message) => message.envelope.id)).toEqual([ids[0]]);
      const byPackage = await store.find({ packages: ['valgrind'] });
      expect(byPackage.messages.map((message) => message.envelope.id)).toEqual([ids[1]]);
      const debug = await store.find({ users: ['newbie'] });
      expect(debug.messages[0]?.envelope.headers['severity']).toBe('debug');

      // datagrepper's API over that archive: /raw (v1) by user, /v2/search (fedora-messaging's shape) by package.
      const app = createQueryServer({ store, config: config.query });
      cleanups.push(() => app.close());
      const raw = JSON.parse((await app.inject({ url: '/raw?user=jcline' })).body) as { raw_messages: { msg_id: string; msg: unknown }[] };
      expect(raw.raw_messages.map((message) => [message.msg_id, message.msg])).toEqual([[ids[0], messages[0]?.body]]);
      const v2 = JSON.parse((await app.inject({ url: '/v2/search?package=valgrind' })).body) as { raw_messages: { id: string; headers: Record<string, unknown> }[] };
      expect(v2.raw_messages.map((message) => message.id)).toEqual([ids[1]]);
      expect(v2.raw_messages[0]?.headers).toMatchObject({ fedora_messaging_rpm_valgrind: true, fedora_messaging_user_mjw: true, fedora_messaging_severity: 30 });
    });

    it('should give a pika consumer every property and header fedora-messaging requires', async () => {
      const config = amqpConfig('fedora-messaging');
      cleanups.push(() => deleteNames([config.amqp.exchange, config.amqp.dead_letter_exchange], [config.amqp.dead_letter_queue]));
      const transport = new AmqpTransport(config, silentLogger);
      await transport.connect();
      cleanups.push(() => transport.close());
      const consumer = startPython('pika_consume_fedora_messaging.py', [PIKA_URL, config.amqp.exchange, 'org.fedoraproject.prod.#', '2']);
      cleanups.push(() => consumer.stop());
      await consumer.waitForLine('READY');

      const producer = { name: 'bodhi', host: 'bodhi01', pid: 7, instance: 'i-1' };
      const sent = [
        createEnvelope({ topic: TOPIC, seq: 1, producer, body: { comment: 'hi' }, headers: { usernames: 'jcline', packages: 'python-requests,kernel', modules: 'nodejs', containers: 'httpd', flatpaks: 'firefox', severity: 'warning', schema: 'bodhi.update.comment.v1' } }),
        createEnvelope({ topic: 'org.fedoraproject.prod.git.receive', seq: 2, producer, body: { commit: { repo: 'valgrind' } } }),
      ];
      for (const envelope of sent) await transport.publish(envelope);
      const received = (await consumer.finished()).filter((line) => line !== 'READY').map((line) => JSON.parse(line) as PikaMessage);
      expect(received).toHaveLength(2);
      const uuid4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;
      for (const [index, message] of received.entries()) {
        const envelope = sent[index];
        expect(message.routing_key).toBe(envelope?.topic);
        expect(message.body).toEqual(envelope?.body);
        expect(message.properties.content_type).toBe('application/json');
        expect(message.properties.content_encoding).toBe('utf-8');
        expect(message.properties.delivery_mode).toBe(2);
        expect(message.properties.message_id).toMatch(uuid4);
        expect(typeof message.properties.headers['fedora_messaging_schema']).toBe('string');
        expect([10, 20, 30, 40]).toContain(message.properties.headers['fedora_messaging_severity']);
        expect(message.properties.headers['sent-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/u);
        expect(message.properties.headers['priority']).toBe(0);
      }
      const [first, second] = received;
      expect(first?.properties.headers).toMatchObject({
        fedora_messaging_schema: 'bodhi.update.comment.v1',
        fedora_messaging_severity: 30,
        fedora_messaging_user_jcline: true,
        'fedora_messaging_rpm_python-requests': true,
        fedora_messaging_rpm_kernel: true,
        fedora_messaging_module_nodejs: true,
        fedora_messaging_container_httpd: true,
        fedora_messaging_flatpak_firefox: true,
      });
      expect(second?.properties.headers).toMatchObject({ fedora_messaging_schema: 'base.message', fedora_messaging_severity: 20 });
      expect(Object.keys(second?.properties.headers ?? {}).filter((key) => /^fedora_messaging_(user|rpm)_/u.test(key))).toEqual([]);
    });
  });

  it('should dead-letter a message in neither format and one with a header of the wrong type, counted, and keep consuming', async () => {
    const config = amqpConfig('statbus');
    const queue = `statbus.test.fm.bad.${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteNames([config.amqp.exchange, config.amqp.dead_letter_exchange], [queue, config.amqp.dead_letter_queue]));
    const transport = new AmqpTransport(config, silentLogger);
    await transport.connect();
    cleanups.push(() => transport.close());
    const subscription = await transport.subscribe(['#'], { queue });
    const model = await connect(BROKER_URL);
    cleanups.push(() => model.close());
    const channel = await model.createConfirmChannel();
    channel.publish(config.amqp.exchange, TOPIC, Buffer.from('{"plain":"json"}'), { contentType: 'application/json' });
    channel.publish(config.amqp.exchange, TOPIC, Buffer.from('{"a":1}'), {
      messageId: 'b1a3c1c2-1f0e-4a51-9d0a-1f6f1f1f1f1f',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { fedora_messaging_schema: 'x', fedora_messaging_severity: 'loud', 'sent-at': '2019-07-30T19:12:22+00:00' },
    });
    channel.publish(config.amqp.exchange, TOPIC, Buffer.from('{"ok":true}'), {
      messageId: 'c1a3c1c2-1f0e-4a51-9d0a-1f6f1f1f1f1f',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { fedora_messaging_schema: 'x', fedora_messaging_severity: 20, 'sent-at': '2019-07-30T19:12:22+00:00' },
    });
    await channel.waitForConfirms();
    const iterator = subscription[Symbol.asyncIterator]();
    const next = await iterator.next();
    if (next.done === true) throw new Error('the subscription ended');
    const delivery: Delivery = next.value;
    expect(delivery.envelope.id).toBe('c1a3c1c2-1f0e-4a51-9d0a-1f6f1f1f1f1f');
    await delivery.ack();
    expect(transport.counters().dropped.invalid).toBe(2);
    await waitFor(async () => (await channel.checkQueue(config.amqp.dead_letter_queue)).messageCount === 2, { message: 'two dead-lettered' });
    const reasons: unknown[] = [];
    for (;;) {
      const dead = await channel.get(config.amqp.dead_letter_queue, { noAck: true });
      if (dead === false) break;
      reasons.push(dead.properties.headers?.['x-statbus-drop-error']);
      expect(dead.properties.headers?.['x-statbus-drop-reason']).toBe('invalid');
    }
    expect(reasons).toEqual([
      expect.stringMatching(/neither a statbus envelope nor a fedora-messaging message/u),
      expect.stringMatching(/headers\.fedora_messaging_severity: must be 10, 20, 30 or 40/u),
    ]);
  });
});

interface PikaMessage {
  readonly routing_key: string;
  readonly body: unknown;
  readonly properties: {
    readonly content_type: string;
    readonly content_encoding: string;
    readonly delivery_mode: number;
    readonly message_id: string;
    readonly priority: number | null;
    readonly headers: Record<string, unknown>;
  };
}
