/**
 * Publish and consume over either transport: the same code, the transport named by the config
 * (statbus.toml, or STATBUS_TRANSPORT=zeromq|amqp and the other STATBUS_* variables).
 *
 *   STATBUS_TRANSPORT=amqp npx tsx examples/publish-consume.ts
 *   STATBUS_ZEROMQ__ENDPOINTS='{"example":["tcp://127.0.0.1:5590"]}' STATBUS_ZEROMQ__BIND=example \
 *     STATBUS_ZEROMQ__USE_RELAY=false npx tsx examples/publish-consume.ts
 */
import { loadConfig, silentLogger, type Envelope, type Transport } from '@statbus/core';
import { Producer } from '@statbus/producer';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';

const { config } = loadConfig({ env: process.env });
const logger = silentLogger;
const transport: Transport = config.transport === 'amqp' ? new AmqpTransport(config, logger) : new ZeroMqTransport(config, logger);
const producer = new Producer(transport, config, logger);

await transport.connect();
try {
  const received: Envelope[] = [];
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  // subscribe() resolves once the subscription is live: nothing published after it is missed.
  const subscription = await transport.subscribe([`${config.topic_prefix}.${config.environment}.bodhi.#`], {
    handler: (delivery) => {
      received.push(delivery.envelope);
      if (received.length === 3) allReceived();
    },
  });
  for (const karma of [1, 2, 3]) await producer.publish('bodhi.update.comment', { karma }, { usernames: ['alice'] });
  await done;
  for (const envelope of received) console.log(`${config.transport}: ${envelope.topic} karma=${String(envelope.body['karma'])}`);
  await subscription.close();
} finally {
  await transport.close();
}
