import { Publisher, Subscriber } from 'zeromq';
import type { Candidate, CandidateInfo, ConsumerSide, ProducerSide } from './candidate.js';
import { rawPayload } from './raw-payload.js';

const TOPIC = 'org.statbus.bench.raw.message.sent';

/**
 * Raw zeromq.js PUB/SUB over loopback TCP, with the high-water marks statbus uses: what the statbus
 * ZeroMQ transport is compared with. Each producer binds, each consumer connects to every producer.
 */
export function rawZeroMqCandidate(info: CandidateInfo, options: { highWaterMark: number }): Candidate {
  return {
    ...info,
    async producer(settings): Promise<ProducerSide> {
      const publisher = new Publisher({ sendHighWaterMark: options.highWaterMark, linger: 0 });
      await publisher.bind(settings.endpoints[settings.index] as string);
      const topic = Buffer.from(TOPIC);
      return {
        probe: () => publisher.send([topic, rawPayload.encode(settings.size, 0, true, settings.index)]),
        trail: () => publisher.send([topic, rawPayload.encode(settings.size, 0, true, settings.index)]),
        send: (stamp) => publisher.send([topic, rawPayload.encode(settings.size, stamp, false, settings.index)]),
        flush: () => Promise.resolve(),
        close: () => {
          publisher.close();
          return Promise.resolve();
        },
      };
    },
    consumer(settings, listener): Promise<ConsumerSide> {
      const subscriber = new Subscriber({ receiveHighWaterMark: options.highWaterMark, linger: 0 });
      for (const endpoint of settings.endpoints) subscriber.connect(endpoint);
      subscriber.subscribe(TOPIC);
      const receiving = (async () => {
        for await (const [, payload] of subscriber) if (payload !== undefined) rawPayload.dispatch(payload, listener);
      })().catch(() => undefined);
      return Promise.resolve({
        detected: () => undefined,
        close: async () => {
          subscriber.close();
          await receiving;
        },
      });
    },
  };
}
