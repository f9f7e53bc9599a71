import { silentLogger, type Delivery, type Subscription, type Transport } from '@statbus/core';
import type { Candidate, CandidateInfo, ConsumerListener, ConsumerSide } from './candidate.js';
import { detectedLoss, dispatchEnvelope, type StatbusCandidate } from './statbus-candidate.js';

/** A transport whose deliveries call `settled` when acked: the archiver acks a message once its batch is written. */
function observeAcks(transport: Transport, settled: (delivery: Delivery) => void): Transport {
  const wrap = (subscription: Subscription): Subscription => ({
    patterns: subscription.patterns,
    closed: subscription.closed,
    close: () => subscription.close(),
    async *[Symbol.asyncIterator]() {
      for await (const delivery of subscription) {
        yield {
          envelope: delivery.envelope,
          redelivered: delivery.redelivered,
          deliveryCount: delivery.deliveryCount,
          ack: async () => {
            settled(delivery);
            await delivery.ack();
          },
          nack: (options) => delivery.nack(options),
        };
      }
    },
  });
  return {
    kind: transport.kind,
    connect: () => transport.connect(),
    publish: (envelope) => transport.publish(envelope),
    subscribe: async (patterns, options) => wrap(await transport.subscribe(patterns, options)),
    status: () => transport.status(),
    counters: () => transport.counters(),
    close: () => transport.close(),
  };
}

/**
 * The pipeline: the same producer, and on the consumer side the statbus `Archiver` writing every message
 * to the store (`settings.store`) over the candidate's transport. A message counts as received when the
 * archiver acks it, i.e. once its batch is durably written: the latency is publish → archived.
 */
export function archivingCandidate(info: CandidateInfo, candidate: StatbusCandidate): Candidate {
  return {
    ...info,
    producer: (settings, local) => candidate.producer(settings, local),
    async consumer(settings, listener: ConsumerListener, local): Promise<ConsumerSide> {
      if (settings.store === undefined) throw new Error('the pipeline needs a store');
      const { Archiver, createMessageStore } = await import('@statbus/sink');
      const transport = await candidate.transport('subscriber', settings, local);
      const store = createMessageStore(settings.store);
      await store.init();
      await transport.connect();
      const observed = observeAcks(transport, (delivery) => dispatchEnvelope(delivery.envelope, listener));
      const archiver = new Archiver(observed, store, { topic_prefix: 'org.statbus' }, silentLogger, {
        ...(settings.queue === undefined ? {} : { queue: settings.queue }),
      });
      await archiver.start();
      return {
        detected: () => detectedLoss(transport.counters()),
        close: async () => {
          await archiver.stop();
          await transport.close();
          await store.close();
        },
      };
    },
  };
}
