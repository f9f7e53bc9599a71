import { Publisher, Subscriber } from 'zeromq';
import type { Candidate, CandidateInfo, ConsumerSide, ProducerSide } from './candidate.js';
import { rawPayload } from './raw-payload.js';
import { mixIndex, topicMix } from './topic-mix.js';

const TOPIC = 'org.statbus.bench.raw.message.sent';
const MIX_BASE = 'org.statbus.bench.raw.mix';

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
      const topics = topicMix(MIX_BASE, settings.topics, TOPIC).map((topic) => Buffer.from(topic));
      let sent = 0;
      const topic = (): Buffer => {
        sent += 1;
        return topics[mixIndex(sent, topics.length)] as Buffer;
      };
      return {
        probe: () => publisher.send([topic(), rawPayload.encode(settings.size, 0, true, settings.index)]),
        trail: () => publisher.send([topic(), rawPayload.encode(settings.size, 0, true, settings.index)]),
        send: (stamp) => publisher.send([topic(), rawPayload.encode(settings.size, stamp, false, settings.index)]),
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
      subscriber.subscribe(settings.topics <= 1 ? TOPIC : `${MIX_BASE}.`);
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
