import { encodeEnvelope, silentLogger, type Transport } from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig, uniqueName } from './test-support/broker.js';
import { collect, record } from './test-support/collect.js';
import { TOPIC, envelopes } from './test-support/envelopes.js';

const brokerUp = await isBrokerUp();

describe.skipIf(!brokerUp)(`${AmqpTransport.name} routing key against envelope topic (RabbitMQ at ${BROKER_URL})`, () => {
  const transports: Transport[] = [];
  const exchanges: string[] = [];
  const queues: string[] = [];

  afterEach(async () => {
    await Promise.allSettled(transports.splice(0).map((transport) => transport.close()));
    const admin = await brokerAdmin();
    try {
      await admin.cleanup({ queues: queues.splice(0), exchanges: exchanges.splice(0) });
    } finally {
      await admin.close();
    }
  });

  describe('when a message is routed by another topic than its envelope names', () => {
    it('should drop it as topic-mismatch, dead-letter it with that reason, and keep consuming', async () => {
      const config = testConfig();
      const transport = new AmqpTransport(config, silentLogger);
      transports.push(transport);
      exchanges.push(config.amqp.exchange, config.amqp.dead_letter_exchange);
      const queue = uniqueName('mismatch');
      queues.push(queue, config.amqp.dead_letter_queue);
      await transport.connect();
      const statuses = record(transport.status());
      const collected = collect(await transport.subscribe(['#'], { queue }));
      const make = envelopes();
      const forged = make({ n: 1 }, TOPIC);
      const admin = await brokerAdmin();
      try {
        admin.channel.publish(config.amqp.exchange, 'org.statbus.dev.other.event', encodeEnvelope(forged));
        await admin.channel.waitForConfirms();
      } finally {
        await admin.close();
      }
      const good = make({ n: 2 }, TOPIC);
      await transport.publish(good);
      await waitFor(() => collected.deliveries.length === 1 && transport.counters().dropped['topic-mismatch'] === 1);
      expect(collected.deliveries.map((delivery) => delivery.envelope.id)).toEqual([good.id]);
      expect(transport.counters().dropped.invalid).toBe(0);
      expect(statuses.some((status) => status.type === 'dropped' && status.reason === 'topic-mismatch')).toBe(true);
      const check = await brokerAdmin();
      try {
        const letter = await waitFor(async () => (await check.channel.get(config.amqp.dead_letter_queue, { noAck: true })) || undefined, {
          message: 'the message in the dead-letter queue',
        });
        expect(letter.properties.headers?.['x-statbus-drop-reason']).toBe('topic-mismatch');
        expect(letter.fields.routingKey).toBe('org.statbus.dev.other.event');
      } finally {
        await check.close();
      }
    });
  });
});
