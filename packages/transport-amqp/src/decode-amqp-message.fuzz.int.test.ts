import { encodeEnvelope, silentLogger } from '@statbus/core';
import { envelopeFactory, waitFor } from '@statbus/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig, uniqueName } from './test-support/broker.js';
import { collect } from './test-support/collect.js';

const brokerUp = await isBrokerUp();
const TOPIC = 'org.fedoraproject.prod.fuzz.smoke';

describe.skipIf(!brokerUp)(`random messages through RabbitMQ at ${BROKER_URL} (fuzz smoke)`, () => {
  const names: { exchanges: string[]; queues: string[] } = { exchanges: [], queues: [] };
  let transport: AmqpTransport | undefined;

  afterEach(async () => {
    await transport?.close();
    const admin = await brokerAdmin();
    try {
      await admin.cleanup(names);
    } finally {
      await admin.close();
    }
  });

  it('should dead-letter a few hundred random messages, counted, and go on delivering', async () => {
    const config = testConfig();
    const queue = uniqueName('fuzz');
    names.exchanges.push(config.amqp.exchange, config.amqp.dead_letter_exchange);
    names.queues.push(queue, config.amqp.dead_letter_queue);
    transport = new AmqpTransport(config, silentLogger);
    await transport.connect();
    const collector = collect(await transport.subscribe(['org.fedoraproject.#'], { queue }));
    const headers = fc.dictionary(
      fc.oneof(fc.constantFrom('fedora_messaging_schema', 'fedora_messaging_severity', 'sent-at', 'priority', 'statbus_producer', 'fedora_messaging_user_x'), fc.string({ maxLength: 8 })),
      fc.oneof(fc.string({ maxLength: 16 }), fc.integer(), fc.boolean()),
      { maxKeys: 4 },
    );
    const messages = fc.sample(fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)), fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null'))), headers), { numRuns: 300, seed: 14 });
    const admin = await brokerAdmin();
    try {
      for (const [content, header] of messages) admin.channel.publish(config.amqp.exchange, TOPIC, content, { headers: header, messageId: 'm', contentType: 'application/json' });
      const valid = envelopeFactory()(TOPIC, { after: 'fuzz' });
      admin.channel.publish(config.amqp.exchange, TOPIC, encodeEnvelope(valid), { persistent: true });
      await admin.channel.waitForConfirms();
      await waitFor(() => collector.deliveries.some((delivery) => delivery.envelope.id === valid.id), { message: 'the valid message after the random ones', timeoutMs: 20_000 });
      const refused = Object.values(transport.counters().dropped).reduce((sum, count) => sum + count, 0);
      // What decodes (a fedora-messaging message with a plain body and good headers) is delivered; the rest is refused.
      await waitFor(() => collector.deliveries.length + Object.values(transport?.counters().dropped ?? {}).reduce((sum, count) => sum + count, 0) === messages.length + 1, { timeoutMs: 20_000 });
      expect(refused).toBeGreaterThan(150);
    } finally {
      await admin.close();
    }
  });
});
