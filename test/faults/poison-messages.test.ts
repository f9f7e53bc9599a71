import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Signer, configSchema, createEnvelope, encodeEnvelope, generateKeyPair, silentLogger, type Envelope, type JsonObject } from '@statbus/core';
import { ConsumerHub } from '@statbus/consumer';
import { waitFor } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { connect } from 'amqplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AMQP_URL, brokerUp } from '../support/hub-bus.js';
import { TOPIC, nomBus, type NomBus } from './support/nom-bus.js';

const haveBroker = await brokerUp();
const MAX_RETRIES = 2;
const RETRY_DELAY_MS = 100;

describe.skipIf(!haveBroker)('fault: poison messages at a consumer hub over RabbitMQ (needs RabbitMQ)', () => {
  let bus: NomBus;
  let keys: string;

  beforeEach(async () => {
    bus = nomBus();
    keys = await mkdtemp(join(tmpdir(), 'statbus-poison-keys-'));
  });
  afterEach(async () => {
    await bus.cleanup();
    await rm(keys, { recursive: true, force: true });
  });

  it('should dead-letter each after at most max_retries + 1 attempts, spaced out, and keep consuming the rest', { timeout: 60_000 }, async () => {
    await generateKeyPair('good', keys);
    await generateKeyPair('mallory', join(keys, 'not-trusted'));
    const good = await Signer.fromDirectory('good', keys);
    const base = bus.config();
    const config = configSchema.parse({
      transport: 'amqp',
      amqp: base.amqp,
      consumer: { group: bus.queue, max_retries: MAX_RETRIES, retry_delay_ms: RETRY_DELAY_MS, concurrency: 2 },
      signing: { verify: true, keys_dir: keys },
    });
    const transport = new AmqpTransport(config, silentLogger);
    const attempts: number[] = [];
    const handled: JsonObject[] = [];
    const hub = new ConsumerHub(transport, config, silentLogger)
      .registerSchema(TOPIC, { type: 'object', required: ['n'], properties: { n: { type: 'number' } } }, { name: 'poison.v1' })
      .register(['#'], (envelope) => {
        if (envelope.body['poison'] === 'throws') {
          attempts.push(performance.now());
          throw new Error('this handler always fails on it');
        }
        handled.push(envelope.body);
      });
    let seq = 0;
    const make = (body: JsonObject): Envelope => {
      seq += 1;
      return good.sign(createEnvelope({ topic: TOPIC, seq, producer: { name: 'good', host: 'test', pid: 1, instance: 'poison' }, body }));
    };
    const publisher = new AmqpTransport(base, silentLogger);
    try {
      await hub.start();
      await publisher.connect();
      await publisher.publish(make({ n: 0, poison: 'throws' }));
      await publisher.publish(make({ n: 'not a number' }));
      await publisher.publish({ ...make({ n: 1 }), body: { n: 1001 } });
      // 1,500 levels deep: the codec refuses it before parsing it.
      const deep = encodeEnvelope(make({ n: 2 })).toString('utf8').replace('"body":{"n":2}', `"body":{"n":${'['.repeat(1500)}${']'.repeat(1500)}}`);
      const raw = await connect(AMQP_URL);
      try {
        const channel = await raw.createConfirmChannel();
        channel.publish(base.amqp.exchange, TOPIC, Buffer.from(deep));
        await channel.waitForConfirms();
      } finally {
        await raw.close();
      }
      for (let n = 10; n < 30; n += 1) await publisher.publish(make({ n }));

      await waitFor(() => handled.length === 20, { message: 'the good messages handled' });
      await waitFor(() => attempts.length === MAX_RETRIES + 1 && hub.counters().failed === 1, { message: 'the failing message dead-lettered' });
      const letters = await waitFor(async () => {
        const got = await bus.deadLetters();
        return got.length === 4 ? got : undefined;
      }, { message: 'four dead letters' });
      expect(letters).toHaveLength(4);
      expect(letters.filter((letter) => letter.reason === 'malformed')).toHaveLength(1);
      expect(handled.map((body) => body['n'] as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 10));
      const gaps = attempts.slice(1).map((at, index) => at - (attempts[index] ?? at));
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(RETRY_DELAY_MS * 0.9);
      expect(hub.counters()).toMatchObject({ processed: 20, rejected: 2, failed: 1 });
      expect(transport.counters().dropped.malformed).toBe(1);
      console.info(`fault poison: attempts ${attempts.length}, gaps ${gaps.map((gap) => gap.toFixed(0)).join(', ')} ms`);
    } finally {
      await hub.stop();
      await publisher.close();
      await transport.close();
    }
  });
});
