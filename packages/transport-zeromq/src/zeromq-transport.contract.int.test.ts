import { describeTransportContract } from '@statbus/testing';
import { RelayBus } from './testing/relay-bus.js';

describeTransportContract('ZeroMqTransport through a ZeroMqRelay', async () => {
  const bus = await RelayBus.start();
  return {
    capabilities: { sharedQueues: false, redelivery: true },
    create: () => Promise.resolve(bus.transport()),
    injectRaw: (topic, bytes) => bus.inject([topic, Buffer.from(bytes)]),
    teardown: () => bus.close(),
  };
});
