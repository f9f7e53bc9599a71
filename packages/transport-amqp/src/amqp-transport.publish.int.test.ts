import { TransportError, silentLogger, type Envelope, type Transport } from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { brokerAdmin, isBrokerUp, testConfig, uniqueName, BROKER_URL } from './test-support/broker.js';
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

  afterEach(async () => {
    await Promise.allSettled(transports.splice(0).map((transport) => transport.close()));
    const admin = await brokerAdmin();
    try {
      await admin.cleanup({ queues: queues.splice(0), exchanges: exchanges.splice(0) });
    } finally {
      await admin.close();
    }
  });

  describe('.publish', () => {
    describe('when the broker has a queue bound to the topic', () => {
      it('should resolve only after the broker confirmed the message, stored as persistent JSON', async () => {
        const config = testConfig();
        const transport = await open(config);
        const queue = uniqueName('confirm');
        queues.push(queue);
        const admin = await brokerAdmin();
        try {
          await admin.channel.assertQueue(queue, { durable: true });
          await admin.channel.bindQueue(queue, config.amqp.exchange, '#');
          const envelope = envelopes()({ n: 1 });
          await transport.publish(envelope);
          // Confirmed means routed and enqueued: the message is there as soon as publish resolves.
          const message = await admin.channel.get(queue, { noAck: true });
          expect(message).not.toBe(false);
          if (message === false) return;
          expect(message.fields.routingKey).toBe(TOPIC);
          expect(message.properties.messageId).toBe(envelope.id);
          expect(message.properties.contentType).toBe('application/json');
          expect(message.properties.deliveryMode).toBe(2);
          expect(message.properties.timestamp).toBe(Math.floor(envelope.time / 1000));
          expect(JSON.parse(message.content.toString('utf8'))).toEqual(envelope);
          expect(transport.counters().published).toBe(1);
        } finally {
          await admin.close();
        }
      });
    });

    describe('when many publishes are in flight', () => {
      it('should resolve them all, keeping their order, with a window smaller than the batch', async () => {
        const config = testConfig({ confirm_window: 16 });
        const transport = await open(config);
        const subscriber = await open({ ...config });
        const got: Envelope[] = [];
        await subscriber.subscribe(['#'], { handler: (delivery) => void got.push(delivery.envelope) });
        const make = envelopes();
        const sent = Array.from({ length: 2_000 }, (_, index) => make({ index }));
        await Promise.all(sent.map((envelope) => transport.publish(envelope)));
        expect(transport.counters().published).toBe(sent.length);
        await waitFor(() => got.length >= sent.length, { message: 'every message received' });
        expect(got.map((envelope) => envelope.seq)).toEqual(sent.map((envelope) => envelope.seq));
      });
    });

    describe('when the exchange is deleted behind its back', () => {
      it('should reopen its channel, declare the exchange again and still confirm', async () => {
        const config = testConfig();
        const transport = await open(config);
        const admin = await brokerAdmin();
        try {
          await admin.channel.deleteExchange(config.amqp.exchange);
        } finally {
          await admin.close();
        }
        const make = envelopes();
        await Promise.all([transport.publish(make()), transport.publish(make())]);
        expect(transport.counters().published).toBe(2);
      });
    });

    describe('when the transport is closed', () => {
      it('should reject with ERR_CLOSED', async () => {
        const transport = await open();
        await transport.close();
        const failure = await transport.publish(envelopes()()).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(TransportError);
        expect((failure as TransportError).code).toBe('ERR_CLOSED');
      });
    });

    describe('when the transport was never connected', () => {
      it('should reject with ERR_NOT_CONNECTED', async () => {
        const transport = new AmqpTransport(testConfig(), silentLogger);
        const failure = await transport.publish(envelopes()()).catch((error: unknown) => error);
        expect((failure as TransportError).code).toBe('ERR_NOT_CONNECTED');
      });
    });
  });
});
