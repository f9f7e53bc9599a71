import { randomUUID } from 'node:crypto';
import { silentLogger } from '@statbus/core';
import { describeTransportContract, type TransportHarness } from '@statbus/testing';
import { describe, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig } from './test-support/broker.js';

const brokerUp = await isBrokerUp();

/**
 * One run of the contract on a fresh topic exchange (and dead-letter names) of the shared broker. The
 * harness names the shared queues the suite subscribes with, so teardown can delete them.
 */
async function amqpHarness(): Promise<TransportHarness> {
  const config = testConfig({ confirm_window: 256 });
  const queues = new Set<string>([config.amqp.dead_letter_queue]);
  const admin = await brokerAdmin();
  await admin.channel.assertExchange(config.amqp.exchange, 'topic', { durable: true });
  return {
    capabilities: { sharedQueues: true, redelivery: true },
    create: () => Promise.resolve(new AmqpTransport(config, silentLogger)),
    queueName: (label) => {
      const name = `${config.amqp.exchange}.${label}.${randomUUID()}`;
      queues.add(name);
      return name;
    },
    injectRaw: async (topic, bytes) => {
      admin.channel.publish(config.amqp.exchange, topic, Buffer.from(bytes));
      await admin.channel.waitForConfirms();
    },
    teardown: async () => {
      try {
        await admin.cleanup({ queues: [...queues], exchanges: [config.amqp.exchange, config.amqp.dead_letter_exchange] });
      } finally {
        await admin.close();
      }
    },
  };
}

if (brokerUp) {
  describeTransportContract(`AmqpTransport (RabbitMQ at ${BROKER_URL})`, amqpHarness);
} else {
  describe.skip(`Transport contract: AmqpTransport — skipped: no RabbitMQ listening at ${BROKER_URL}`, () => {
    it('needs a broker (set AMQP_URL or start RabbitMQ)', () => undefined);
  });
}
