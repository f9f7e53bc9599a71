import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createEnvelope, type Envelope, type Transport } from '@statbus/core';
import type { BenchCandidate, BenchPair } from './scenario.js';

const TOPIC = 'org.statbus.bench.statbus.message.sent';
const PROBE_TOPIC = 'org.statbus.bench.statbus.probe.sent';

/** Pads a body so that the encoded envelope is about `size` bytes. */
function paddedBody(size: number): { pad: string } {
  const probe = createEnvelope({
    topic: TOPIC,
    body: { t: 0, pad: '' },
    producer: { name: 'bench', host: 'localhost', pid: process.pid, instance: randomUUID() },
    seq: 1,
  });
  const overhead = Buffer.byteLength(JSON.stringify(probe)) + 12;
  return { pad: 'x'.repeat(Math.max(0, size - overhead)) };
}

/**
 * A statbus transport as a benchmark candidate: `create` makes one transport (called twice per pair:
 * publisher and subscriber, each its own connection). Publishes are pipelined up to `window` unsettled
 * promises, as an application would, since the transport keeps their order.
 */
export function statbusCandidate(options: {
  name: string;
  baseline?: string;
  window: number;
  create: (role: 'publisher' | 'subscriber') => Promise<Transport>;
}): BenchCandidate {
  return {
    name: options.name,
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    async open(size: number): Promise<BenchPair> {
      const publisher = await options.create('publisher');
      const subscriber = await options.create('subscriber');
      await publisher.connect();
      await subscriber.connect();
      const { pad } = paddedBody(size);
      const producer = { name: 'bench', host: 'localhost', pid: process.pid, instance: randomUUID() };
      let seq = 0;
      const envelope = (topic: string, stamp: number): Envelope => {
        seq += 1;
        return { id: `bench-${producer.instance}-${seq}`, topic, time: Date.now(), producer, seq, headers: {}, body: { t: stamp, pad } };
      };
      let listener: (stamp: number) => void = () => undefined;
      let probed = false;
      const subscription = await subscriber.subscribe([TOPIC, PROBE_TOPIC], { prefetch: 100 });
      const receiving = (async () => {
        for await (const delivery of subscription) {
          if (delivery.envelope.topic === PROBE_TOPIC) probed = true;
          else listener(delivery.envelope.body['t'] as number);
          await delivery.ack();
        }
      })();
      const deadline = performance.now() + 5_000;
      while (!probed && performance.now() < deadline) {
        await publisher.publish(envelope(PROBE_TOPIC, 0));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const pending: Promise<void>[] = [];
      let failure: unknown;
      return {
        send: async (_index, stamp) => {
          if (pending.length >= options.window) await pending.shift();
          if (failure !== undefined) throw failure as Error;
          pending.push(publisher.publish(envelope(TOPIC, stamp)).catch((error: unknown) => void (failure = error)));
        },
        flush: async () => {
          await Promise.all(pending.splice(0));
        },
        onReceive: (next) => {
          listener = next;
        },
        detected: () => {
          const counters = subscriber.counters();
          return { gaps: counters.gaps, missed: counters.missed };
        },
        close: async () => {
          await publisher.close();
          await subscriber.close();
          await receiving;
        },
      };
    },
  };
}
