import { TopicError, TransportError, silentLogger, type Delivery, type Transport } from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig, uniqueName } from './test-support/broker.js';
import { collect, record } from './test-support/collect.js';
import { TOPIC, envelopes } from './test-support/envelopes.js';

const brokerUp = await isBrokerUp();

describe.skipIf(!brokerUp)(`${AmqpTransport.name} against RabbitMQ at ${BROKER_URL}`, () => {
  const transports: Transport[] = [];
  const exchanges: string[] = [];
  const queues: string[] = [];

  async function open(config = testConfig()): Promise<AmqpTransport> {
    const transport = new AmqpTransport(config, silentLogger);
    transports.push(transport);
    exchanges.push(config.amqp.exchange, config.amqp.dead_letter_exchange);
    queues.push(config.amqp.dead_letter_queue);
    await transport.connect();
    return transport;
  }

  function queueName(what: string): string {
    const name = uniqueName(what);
    queues.push(name);
    return name;
  }

  async function deadLettered(queue: string): Promise<number> {
    const admin = await brokerAdmin();
    try {
      return (await admin.channel.checkQueue(queue)).messageCount;
    } finally {
      await admin.close();
    }
  }

  afterEach(async () => {
    await Promise.allSettled(transports.splice(0).map((transport) => transport.close()));
    const admin = await brokerAdmin();
    try {
      await admin.cleanup({ queues: queues.splice(0), exchanges: exchanges.splice(0) });
    } finally {
      await admin.close();
    }
  });

  describe('.subscribe', () => {
    describe('when the pattern is malformed', () => {
      it('should reject with a TopicError before touching the broker', async () => {
        const transport = await open();
        await expect(transport.subscribe(['a..b'])).rejects.toBeInstanceOf(TopicError);
        await expect(transport.subscribe([])).rejects.toBeInstanceOf(TopicError);
      });
    });

    describe('when the prefetch is out of range', () => {
      it('should reject with ERR_SUBSCRIBE', async () => {
        const transport = await open();
        for (const prefetch of [0, 1.5, 70_000]) {
          await expect(transport.subscribe(['#'], { prefetch })).rejects.toMatchObject({ code: 'ERR_SUBSCRIBE' });
        }
      });
    });

    describe('when a named queue already exists with other arguments', () => {
      it('should reject with ERR_SUBSCRIBE and keep the transport usable', async () => {
        const config = testConfig();
        const transport = await open(config);
        const queue = queueName('clash');
        const admin = await brokerAdmin();
        try {
          await admin.channel.assertQueue(queue, { durable: false });
        } finally {
          await admin.close();
        }
        const failure = await transport.subscribe(['#'], { queue }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(TransportError);
        expect((failure as TransportError).code).toBe('ERR_SUBSCRIBE');
        const make = envelopes();
        await transport.publish(make());
      });
    });

    describe('when two consumers share a named queue', () => {
      it('should give each message to one of them, both getting some', async () => {
        const config = testConfig();
        const [publisher, first, second] = [await open(config), await open(config), await open(config)];
        const queue = queueName('shared');
        const one = collect(await first.subscribe(['#'], { queue, prefetch: 1 }));
        const two = collect(await second.subscribe(['#'], { queue, prefetch: 1 }));
        const make = envelopes();
        const count = 60;
        await Promise.all(Array.from({ length: count }, (_, index) => publisher.publish(make({ index }))));
        await waitFor(() => one.deliveries.length + two.deliveries.length >= count, { message: 'all delivered' });
        const ids = [...one.deliveries, ...two.deliveries].map((delivery) => delivery.envelope.id);
        expect(new Set(ids).size).toBe(count);
        expect(one.deliveries.length).toBeGreaterThan(0);
        expect(two.deliveries.length).toBeGreaterThan(0);
      });
    });

    describe.each(['quorum', 'classic'] as const)('when a message on a named %s queue is nacked', (queueType) => {
      it('should deliver it again, marked redelivered, with its delivery count', async () => {
        const config = testConfig({ queue_type: queueType });
        const transport = await open(config);
        const subscription = await transport.subscribe(['#'], { queue: queueName(queueType) });
        const envelope = envelopes()();
        await transport.publish(envelope);
        const iterator = subscription[Symbol.asyncIterator]();
        const first = (await iterator.next()).value as Delivery;
        expect([first.redelivered, first.deliveryCount]).toEqual([false, 1]);
        await first.nack();
        const second = (await iterator.next()).value as Delivery;
        expect(second.envelope.id).toBe(envelope.id);
        expect([second.redelivered, second.deliveryCount]).toEqual([true, 2]);
        await second.ack();
      });

      it('should dead-letter it after max_deliveries failures instead of looping', async () => {
        const config = testConfig({ queue_type: queueType, max_deliveries: 3 });
        const transport = await open(config);
        const counts: number[] = [];
        await transport.subscribe(['#'], {
          queue: queueName(`poison-${queueType}`),
          handler: (delivery) => {
            counts.push(delivery.deliveryCount);
            throw new Error('poison');
          },
        });
        await transport.publish(envelopes()());
        await waitFor(async () => (await deadLettered(config.amqp.dead_letter_queue)) === 1, { message: 'message in the DLQ' });
        expect(counts).toEqual([1, 2, 3]);
      });

      it('should dead-letter it at once on nack without requeue', async () => {
        const config = testConfig({ queue_type: queueType });
        const transport = await open(config);
        const collected = collect(await transport.subscribe(['#'], { queue: queueName(`reject-${queueType}`) }), (delivery) =>
          delivery.nack({ requeue: false }),
        );
        await transport.publish(envelopes()());
        await waitFor(async () => (await deadLettered(config.amqp.dead_letter_queue)) === 1, { message: 'message in the DLQ' });
        expect(collected.deliveries).toHaveLength(1);
      });
    });

    describe('when a malformed message arrives on a named queue', () => {
      it('should drop, count and report it, dead-letter it, and keep consuming', async () => {
        const config = testConfig();
        const transport = await open(config);
        const statuses = record(transport.status());
        const collected = collect(await transport.subscribe(['#'], { queue: queueName('malformed') }));
        const admin = await brokerAdmin();
        try {
          admin.channel.publish(config.amqp.exchange, TOPIC, Buffer.from('not json {'));
          admin.channel.publish(config.amqp.exchange, TOPIC, Buffer.from('{"id":"x"}'));
          admin.channel.publish(config.amqp.exchange, TOPIC, Buffer.alloc(config.codec.max_message_bytes + 1, 0x20));
          await admin.channel.waitForConfirms();
        } finally {
          await admin.close();
        }
        const good = envelopes()();
        await transport.publish(good);
        await waitFor(() => collected.deliveries.length === 1);
        expect(collected.deliveries[0]?.envelope.id).toBe(good.id);
        await waitFor(() => transport.counters().dropped['too-large'] === 1);
        expect(transport.counters().dropped).toMatchObject({ malformed: 1, invalid: 1, 'too-large': 1 });
        expect(statuses.filter((status) => status.type === 'dropped').map((status) => status.type === 'dropped' && status.reason)).toEqual([
          'malformed',
          'invalid',
          'too-large',
        ]);
        await waitFor(async () => (await deadLettered(config.amqp.dead_letter_queue)) === 3, { message: 'malformed messages in the DLQ' });
      });
    });

    describe('when its named queue is deleted behind its back', () => {
      it('should end the subscription and report an error', async () => {
        const transport = await open();
        const statuses = record(transport.status());
        const queue = queueName('deleted');
        const subscription = await transport.subscribe(['#'], { queue });
        const collected = collect(subscription);
        const admin = await brokerAdmin();
        try {
          await admin.channel.deleteQueue(queue);
        } finally {
          await admin.close();
        }
        await subscription.closed;
        await collected.done;
        await waitFor(() => statuses.some((status) => status.type === 'error'));
      });
    });

    describe('when a message on a private queue is rejected', () => {
      it('should drop and count it, having no dead-letter queue', async () => {
        const transport = await open();
        const statuses = record(transport.status());
        collect(await transport.subscribe(['#']), (delivery) => delivery.nack({ requeue: false }));
        await transport.publish(envelopes()());
        await waitFor(() => transport.counters().dropped.rejected === 1);
        await waitFor(() => statuses.some((status) => status.type === 'dropped' && status.reason === 'rejected'));
      });

      it('should stop redelivering a message that failed max_deliveries times', async () => {
        const transport = await open(testConfig({ max_deliveries: 4 }));
        const counts: number[] = [];
        await transport.subscribe(['#'], {
          handler: (delivery) => {
            counts.push(delivery.deliveryCount);
            throw new Error('poison');
          },
        });
        await transport.publish(envelopes()());
        await waitFor(() => transport.counters().dropped.rejected === 1);
        expect(counts).toEqual([1, 2, 3, 4]);
      });
    });

    describe('when closed with a delivery handed out and not yet settled', () => {
      it('should wait for it to be settled and take that settlement', async () => {
        const transport = await open();
        const queue = queueName('settle-on-close');
        const subscription = await transport.subscribe(['#'], { queue });
        await transport.publish(envelopes()());
        const iterator = subscription[Symbol.asyncIterator]();
        const delivery = (await iterator.next()).value as Delivery;
        let closed = false;
        const closing = subscription.close().then(() => {
          closed = true;
        });
        await new Promise((resolve) => setImmediate(resolve));
        expect(closed).toBe(false);
        await delivery.ack();
        await closing;
        expect((await iterator.next()).done).toBe(true);
        const admin = await brokerAdmin();
        try {
          await waitFor(async () => (await admin.channel.checkQueue(queue)).messageCount === 0 || undefined, { message: 'acked, not requeued' });
        } finally {
          await admin.close();
        }
      });
    });

    describe('when the subscription is closed', () => {
      it('should end iteration and resolve closed', async () => {
        const transport = await open();
        const subscription = await transport.subscribe(['#']);
        const collected = collect(subscription);
        await transport.publish(envelopes()());
        await waitFor(() => collected.deliveries.length === 1);
        await Promise.all([subscription.close(), subscription.close()]);
        await collected.done;
        await expect(subscription.closed).resolves.toBeUndefined();
      });
    });
  });
});
