import { describe, expect, it } from 'vitest';
import { describeTransportContract } from '../transport-contract/describe-transport-contract.js';
import { envelopeFactory } from '../transport-contract/contract-helpers.js';
import { MemoryBus } from './memory-bus.js';
import { MemoryTransport } from './memory-transport.js';

describeTransportContract('memory', () => {
  const bus = new MemoryBus();
  return Promise.resolve({
    capabilities: { sharedQueues: true, redelivery: true },
    create: () => Promise.resolve(new MemoryTransport(bus)),
    injectRaw: (topic, bytes) => {
      bus.route(topic, bytes);
      return Promise.resolve();
    },
    teardown: () => Promise.resolve(),
  });
});

describe(MemoryTransport, () => {
  describe('.subscribe', () => {
    describe('when a message is nacked more often than maxDeliveries', () => {
      it('should dead-letter it and count it as rejected', async () => {
        const bus = new MemoryBus();
        const transport = new MemoryTransport(bus, { maxDeliveries: 2 });
        await transport.connect();
        try {
          const subscription = await transport.subscribe(['#'], { queue: 'work' });
          await transport.publish(envelopeFactory()('org.statbus.dev.a.b.c'));
          const iterator = subscription[Symbol.asyncIterator]();
          for (let attempt = 0; attempt < 2; attempt += 1) {
            const delivery = await iterator.next();
            await (delivery.value as { nack(): Promise<void> }).nack();
          }
          expect(bus.deadLetters).toHaveLength(1);
          expect(transport.counters().dropped.rejected).toBe(1);
        } finally {
          await transport.close();
        }
      });
    });
  });
});
