import { performance } from 'node:perf_hooks';
import { Publisher, Subscriber } from 'zeromq';
import type { BenchCandidate, BenchPair } from './scenario.js';

const TOPIC = 'org.statbus.bench.raw.message.sent';
const PROBE = -1;

/** Raw zeromq.js PUB/SUB over loopback TCP: what the statbus ZeroMQ transport is compared with. */
export function rawZeroMqCandidate(options: { highWaterMark: number }): BenchCandidate {
  return {
    name: 'raw zeromq.js PUB/SUB',
    async open(size: number): Promise<BenchPair> {
      const publisher = new Publisher({ sendHighWaterMark: options.highWaterMark, linger: 0 });
      const subscriber = new Subscriber({ receiveHighWaterMark: options.highWaterMark, linger: 0 });
      await publisher.bind('tcp://127.0.0.1:*');
      subscriber.connect(publisher.lastEndpoint as string);
      subscriber.subscribe(TOPIC);
      const topic = Buffer.from(TOPIC);
      const frame = (index: number, stamp: number): Buffer => {
        const payload = Buffer.alloc(size, 0x20);
        payload.writeDoubleLE(stamp, 0);
        payload.writeInt32LE(index, 8);
        return payload;
      };
      let listener: (stamp: number) => void = () => undefined;
      let probed = false;
      const receiving = (async () => {
        for await (const [, payload] of subscriber) {
          if (payload === undefined) continue;
          if (payload.readInt32LE(8) === PROBE) probed = true;
          else listener(payload.readDoubleLE(0));
        }
      })().catch(() => undefined);
      // The slow joiner: a SUB misses what is sent before its subscription reaches the PUB; probe until it has.
      const deadline = performance.now() + 5_000;
      while (!probed && performance.now() < deadline) {
        await publisher.send([topic, frame(PROBE, 0)]);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return {
        send: (index, stamp) => publisher.send([topic, frame(index, stamp)]),
        flush: () => Promise.resolve(),
        onReceive: (next) => {
          listener = next;
        },
        detected: () => undefined,
        close: async () => {
          publisher.close();
          subscriber.close();
          await receiving;
        },
      };
    },
  };
}
