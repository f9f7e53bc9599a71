/**
 * A consumer with retries and dead-lettering, over RabbitMQ: a handler that fails twice before it
 * succeeds is retried; one that always fails is dead-lettered after `max_retries` retries and lands in
 * the dead-letter queue; one that is not for us is dropped.
 *
 *   STATBUS_TRANSPORT=amqp npx tsx examples/consumer-retries.ts
 */
import { loadConfig, silentLogger } from '@statbus/core';
import { ConsumerHub, Drop, Nack } from '@statbus/consumer';
import { Producer } from '@statbus/producer';
import { AmqpTransport } from '@statbus/transport-amqp';
import { connect } from 'amqplib';

const { config } = loadConfig({ env: process.env, overrides: { transport: 'amqp', consumer: { max_retries: 2 } } });
const logger = silentLogger;
const transport = new AmqpTransport(config, logger);
const producer = new Producer(transport, config, logger);
const hub = new ConsumerHub(transport, config, logger);
const group = `${config.amqp.exchange}.example-consumer`;

hub.register(
  [`${config.topic_prefix}.${config.environment}.koji.#`],
  async (envelope, { attempt }) => {
    const kind = String(envelope.body['kind']);
    if (kind === 'other') throw new Drop('not a build we track');
    if (kind === 'flaky' && attempt < 3) throw new Nack(`flaky: attempt ${attempt} failed`);
    if (kind === 'poison') throw new Error('cannot parse this build');
    console.log(`handled ${kind} at attempt ${attempt}`);
  },
  { group },
);

await transport.connect();
try {
  await hub.start();
  for (const kind of ['flaky', 'poison', 'other']) await producer.publish('koji.build.end', { kind });
  // Wait until each message is settled for good: processed, dropped or dead-lettered.
  for (;;) {
    const { processed, dropped, failed } = hub.counters();
    if (processed + dropped + failed === 3) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const counters = hub.counters();
  console.log(`processed ${counters.processed}, dropped ${counters.dropped}, dead-lettered ${counters.failed}, retries ${counters.retried}`);
  await hub.stop();
} finally {
  await transport.close();
}

// The dead-lettered message waits in the dead-letter queue for a person to look at (or to replay).
const model = await connect(config.amqp.url);
try {
  const channel = await model.createChannel();
  const message = await channel.get(config.amqp.dead_letter_queue, { noAck: true });
  if (message !== false) console.log(`dead letter: ${message.fields.routingKey} ${(JSON.parse(message.content.toString()) as { body: { kind: string } }).body.kind}`);
  await channel.deleteQueue(group);
} finally {
  await model.close();
}
