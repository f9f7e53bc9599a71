import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger, type Delivery } from '@statbus/core';
import { freePort, tcpAnswers, waitFor } from '@statbus/testing';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from './support/cli-process.js';
import { pythonHas, startPython } from './support/python-peer.js';

const BROKER_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';
const PIKA_URL = BROKER_URL.replace('%2F', '%2F?heartbeat=0');

const up = await tcpAnswers(BROKER_URL);
const peers = pythonHas('pika') && pythonHas('zmq');
const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!up)(`statbus bridge against RabbitMQ at ${BROKER_URL}`, () => {
  it.skipIf(!peers)(
    'should carry fedmsg frames to fedora-messaging consumers and fedora-messaging messages to fedmsg subscribers (skipped without python3-pika and python3-zmq)',
    async () => {
      const tag = randomBytes(6).toString('hex');
      const fedmsgAddress = `tcp://127.0.0.1:${await freePort()}`;
      const bridgeAddress = `tcp://127.0.0.1:${await freePort()}`;
      const exchange = `statbus.test.bridgecli.${tag}`;
      const queue = `statbus.test.bridgecli.${tag}.queue`;
      const dir = mkdtempSync(join(tmpdir(), 'statbus-bridge-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'statbus.toml');
      const toml = [
        'topic_prefix = "org.fedoraproject"',
        'environment = "prod"',
        '[zeromq]',
        'use_relay = false',
        `bind = ["${bridgeAddress}"]`,
        'wire_format = "fedmsg"',
        'linger_ms = 0',
        // A fedmsg publisher answers no readiness probe: do not wait long for one.
        'ready_timeout_ms = 300',
        '[zeromq.endpoints]',
        `fedmsg = ["${fedmsgAddress}"]`,
        `bridge = ["${bridgeAddress}"]`,
        '[amqp]',
        `url = "${BROKER_URL}"`,
        `exchange = "${exchange}"`,
        `dead_letter_exchange = "${exchange}.dlx"`,
        `dead_letter_queue = "${exchange}.dlq"`,
        'wire_format = "fedora-messaging"',
        'close_timeout_ms = 1000',
      ].join('\n');
      writeFileSync(file, `${toml}\n`);
      cleanups.push(async () => {
        const model = await connect(BROKER_URL);
        const channel = await model.createChannel();
        for (const name of [queue, `${exchange}.dlq`]) await channel.deleteQueue(name);
        for (const name of [exchange, `${exchange}.dlx`]) await channel.deleteExchange(name);
        await model.close();
      });

      // The exchange exists before the fedora-messaging consumer binds to it (the bridge declares it the same way).
      const admin = await connect(BROKER_URL);
      await (await admin.createChannel()).assertExchange(exchange, 'topic', { durable: true });
      await admin.close();
      // fedmsg's side: a fedmsg publisher already bound (it waits for the bridge to subscribe).
      const fedmsgMessages = [{ topic: 'org.fedoraproject.prod.git.receive', msg: { commit: { repo: 'valgrind', username: 'mjw' } } }];
      const fedmsgPublisher = startPython('zmq_publish_fedmsg.py', [fedmsgAddress], JSON.stringify(fedmsgMessages));
      cleanups.push(() => fedmsgPublisher.stop());
      // fedora-messaging's side: a consumer bound before anything is published.
      const fedoraConsumer = startPython('pika_consume_fedora_messaging.py', [PIKA_URL, exchange, 'org.fedoraproject.prod.git.#', '1']);
      cleanups.push(() => fedoraConsumer.stop());

      const bridge = startCli(['bridge', '-c', file, '--queue', queue, '--health-port', '0'], {});
      cleanups.push(() => bridge.stop());
      await fedoraConsumer.waitForLine('READY');
      await bridge.ready('statbus bridge: zeromq (fedmsg;');
      const health = /health at (\S+)\/ready/u.exec(bridge.stderr())?.[1];
      await waitFor(async () => (await fetch(`${health ?? ''}/ready`)).status === 200, { timeoutMs: 20_000, message: 'both sides of the bridge up' });

      // fedmsg → bridge → fedora-messaging.
      const [idsLine] = await fedmsgPublisher.finished();
      const [fedmsgId] = JSON.parse(idsLine ?? '[]') as string[];
      const [line] = await fedoraConsumer.finished().then((lines) => lines.filter((entry) => entry !== 'READY'));
      const received = JSON.parse(line ?? '{}') as { routing_key: string; body: unknown; properties: { content_type: string; message_id: string; headers: Record<string, unknown> } };
      expect(received.routing_key).toBe('org.fedoraproject.prod.git.receive');
      expect(received.body).toEqual(fedmsgMessages[0]?.msg);
      expect(received.properties.content_type).toBe('application/json');
      expect(received.properties.headers).toMatchObject({ fedora_messaging_schema: 'base.message', fedora_messaging_severity: 20, 'bridged-from': 'zeromq' });
      expect(JSON.parse(String(received.properties.headers['statbus_producer']))).toMatchObject({ id: fedmsgId });

      // fedora-messaging → bridge → fedmsg frames, read by a statbus subscriber of the bridge's endpoint.
      const subscriberConfig = configSchema.parse({ zeromq: { use_relay: false, endpoints: { bridge: [bridgeAddress] }, linger_ms: 0 } });
      const subscriber = new ZeroMqTransport(subscriberConfig, silentLogger);
      cleanups.push(() => subscriber.close());
      await subscriber.connect();
      const subscription = await subscriber.subscribe(['org.fedoraproject.prod.bodhi.#']);
      const deliveries: Delivery[] = [];
      void (async () => {
        for await (const delivery of subscription) deliveries.push(delivery);
      })();
      const fedoraMessages = [{ topic: 'org.fedoraproject.prod.bodhi.update.comment', body: { comment: 'ok' }, users: ['bowlofeggs'], packages: ['kernel'] }];
      const fedoraPublisher = startPython('pika_publish_fedora_messaging.py', [PIKA_URL, exchange], JSON.stringify(fedoraMessages));
      const [fedoraIds] = await fedoraPublisher.finished();
      const [fedoraId] = JSON.parse(fedoraIds ?? '[]') as string[];
      await waitFor(() => deliveries.length === 1, { timeoutMs: 20_000, message: 'the fedora-messaging message on ZeroMQ' });
      expect(deliveries[0]?.envelope).toMatchObject({
        id: fedoraId,
        topic: 'org.fedoraproject.prod.bodhi.update.comment',
        body: { comment: 'ok' },
        headers: { usernames: 'bowlofeggs', packages: 'kernel', 'bridged-from': 'amqp' },
      });

      expect(await bridge.stop()).toBe(0);
      expect(bridge.stderr()).toMatch(/statbus bridge: stopped; \{"toAmqp":1,"toZeromq":1,/u);
    },
  );
});
