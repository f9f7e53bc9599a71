/**
 * Swap the transport by config, with Inversify: the application loads the module of the transport the
 * config names; the service below depends on the TRANSPORT token only and never knows which one it got.
 *
 *   STATBUS_TRANSPORT=amqp npx tsx examples/swap-transport.ts     # or a statbus.toml with transport = "amqp"
 */
import { CONFIG, LOGGER, TRANSPORT, loadConfig, silentLogger, type Transport } from '@statbus/core';
import { Producer, producerModule } from '@statbus/producer';
import { amqpTransportModule } from '@statbus/transport-amqp';
import { zeromqTransportModule } from '@statbus/transport-zeromq';
import { Container, inject, injectable } from 'inversify';

/** A service of yours: it publishes through whatever transport the container holds. */
@injectable()
class BuildNotifier {
  constructor(
    @inject(Producer) private readonly producer: Producer,
    @inject(TRANSPORT) readonly transport: Transport,
  ) {}

  async buildFinished(build: number): Promise<string> {
    const envelope = await this.producer.publish('koji.build.end', { build });
    return envelope.topic;
  }
}

const { config } = loadConfig({ env: process.env });
const container = new Container({ defaultScope: 'Singleton' });
container.bind(CONFIG).toConstantValue(config);
container.bind(LOGGER).toConstantValue(silentLogger);
container.load(config.transport === 'amqp' ? amqpTransportModule : zeromqTransportModule, producerModule);
container.bind(BuildNotifier).toSelf();

const notifier = container.get(BuildNotifier);
await notifier.transport.connect();
try {
  const subscription = await notifier.transport.subscribe([`${config.topic_prefix}.${config.environment}.koji.#`]);
  const topic = await notifier.buildFinished(42);
  for await (const delivery of subscription) {
    console.log(`${notifier.transport.constructor.name} carried ${delivery.envelope.topic} build=${String(delivery.envelope.body['build'])} (published on ${topic})`);
    await delivery.ack();
    break;
  }
  await subscription.close();
} finally {
  await notifier.transport.close();
}
