import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger, type Delivery, type Subscription, type Transport, type TransportStatus } from '@statbus/core';
import { envelopeFactory, recordStatus, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { RelayBus } from './testing/relay-bus.js';
import { reportedLost, type EnvelopeMaker } from './testing/stalled-burst.js';
import type { ZeroMqDelivery } from './zeromq-delivery.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const TOPIC = 'org.statbus.dev.replay.update';
const HEARTBEAT_MS = 50;
const BODY = { blob: 'x'.repeat(4096) };

type Gap = Extract<TransportStatus, { type: 'gap' }>;

interface Reading {
  readonly seqs: number[];
  readonly replayed: number[];
  stop(): Promise<void>;
}

/**
 * Publishes `published` messages while the subscriber holds its only prefetch slot (it stops reading: the
 * high-water marks drop), then reads on, recording each seq and whether it came replayed.
 */
async function burstPastStalled(publisher: Transport, subscription: Subscription, published: number, make: EnvelopeMaker, afterBurst?: () => Promise<unknown>): Promise<Reading> {
  const iterator = subscription[Symbol.asyncIterator]();
  await publisher.publish(make(TOPIC, BODY));
  const held = (await iterator.next()).value as Delivery;
  for (let index = 1; index < published; index += 1) await publisher.publish(make(TOPIC, BODY));
  await afterBurst?.();
  const seqs = [held.envelope.seq];
  const replayed: number[] = [];
  await held.ack();
  const reading = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      seqs.push(next.value.envelope.seq);
      if ((next.value as ZeroMqDelivery).replayed) replayed.push(next.value.envelope.seq);
      await next.value.ack();
    }
  })();
  return {
    seqs,
    replayed,
    stop: async () => {
      await subscription.close();
      await reading;
    },
  };
}

const inOrder = (seqs: readonly number[]): number[] => Array.from({ length: seqs.length }, (_, index) => index + 1);

describe(`${ZeroMqTransport.name} gap recovery (replay window)`, () => {
  let bus: RelayBus | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });

  async function relayed(relayOptions: Record<string, unknown>): Promise<{ bus: RelayBus; directory: string }> {
    // ipc:// keeps the kernel's buffers small, so the high-water marks are what limits the backlog.
    const directory = mkdtempSync(join(tmpdir(), 'statbus-replay-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    bus = await RelayBus.start({ send_hwm: 10, relay_inbound: `ipc://${directory}/in`, relay_outbound: `ipc://${directory}/out`, ...relayOptions });
    return { bus, directory };
  }

  describe('when a burst through the relay is dropped at the high-water marks, its tail included, inside the window', () => {
    it('should deliver every message, in order, the lost ones marked replayed, and report nothing lost', async () => {
      const { bus } = await relayed({ stream_heartbeat_ms: HEARTBEAT_MS });
      const publisher = bus.transport({ stream_heartbeat_ms: HEARTBEAT_MS });
      const subscriber = bus.transport({ receive_hwm: 10 });
      await subscriber.connect();
      await publisher.connect();
      const statuses = recordStatus(subscriber.status());
      const published = 3000;
      const reading = await burstPastStalled(publisher, await subscriber.subscribe([TOPIC], { prefetch: 1 }), published, envelopeFactory(), () =>
        bus.handedOver(published),
      );
      // Nothing more is published: the tail comes back through the heartbeats and the relay's window.
      await waitFor(() => reading.seqs.length === published, { message: 'every message delivered', timeoutMs: 20_000 });
      console.info(`refilled through the relay: ${published} published, ${reading.replayed.length} of them replayed, relay ${JSON.stringify(bus.relay.counters())}`);
      expect(reading.replayed.length, 'the burst did lose messages on the way').toBeGreaterThan(0);
      expect(reading.seqs).toEqual(inOrder(reading.seqs));
      expect(reading.replayed).toContain(published);
      expect(subscriber.counters()).toMatchObject({ gaps: 0, missed: 0, received: published });
      expect(subscriber.recovery()).toMatchObject({ refilled: reading.replayed.length, lost: 0 });
      expect(statuses.filter((status) => status.type === 'gap')).toEqual([]);
      await reading.stop();
    });
  });

  describe('when more is lost than the relay keeps', () => {
    it('should refill what the window holds and report the rest with exact seq ranges: received + missed == published', async () => {
      const window = 300;
      const { bus } = await relayed({ stream_heartbeat_ms: HEARTBEAT_MS, replay_window: window });
      const publisher = bus.transport({ stream_heartbeat_ms: HEARTBEAT_MS });
      const subscriber = bus.transport({ receive_hwm: 10 });
      await subscriber.connect();
      await publisher.connect();
      const statuses = recordStatus(subscriber.status());
      const published = 3000;
      const reading = await burstPastStalled(publisher, await subscriber.subscribe([TOPIC], { prefetch: 1 }), published, envelopeFactory(), () =>
        bus.handedOver(published),
      );
      const missed = (): number => subscriber.counters().missed;
      await waitFor(() => reading.seqs.length + missed() === published, { message: 'received + reported missed == published', timeoutMs: 20_000 });
      const lost = reportedLost(statuses);
      const gaps = statuses.filter((status): status is Gap => status.type === 'gap');
      console.info(`window ${window}: ${published} published, ${reading.seqs.length} delivered (${reading.replayed.length} replayed), ${missed()} reported lost in ${gaps.length} gaps`);
      expect(missed()).toBeGreaterThan(0);
      // The last `window` messages are all in the relay's window: the tail is complete.
      expect(reading.seqs.slice(-window)).toEqual(Array.from({ length: window }, (_, index) => published - window + 1 + index));
      expect(reading.seqs.filter((seq) => lost.has(seq)), 'a delivered message is never reported lost').toEqual([]);
      expect(lost.size, 'the ranges are exact').toBe(missed());
      const all = new Set([...reading.seqs, ...lost]);
      expect(all.size, 'every seq is delivered or reported lost').toBe(published);
      expect([...reading.seqs].sort((a, b) => a - b)).toEqual(reading.seqs);
      await reading.stop();
    });
  });

  describe('when the publisher binds its endpoint (no relay) and answers gap requests on replay_bind', () => {
    /** A direct publisher's burst past a stalled subscriber, both with marks of `hwm` KiB; every message must come. */
    async function refillTailDirect(hwm: number): Promise<void> {
      const directory = mkdtempSync(join(tmpdir(), 'statbus-replay-direct-'));
      onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
      const endpoints = { bodhi: [`ipc://${directory}/bodhi.sock`] };
      const replay = `ipc://${directory}/bodhi-replay.sock`;
      const direct = (zeromq: Record<string, unknown>): ZeroMqTransport =>
        new ZeroMqTransport(configSchema.parse({ zeromq: { use_relay: false, endpoints, ...zeromq } }), silentLogger);
      const publisher = direct({ bind: ['bodhi'], send_hwm: hwm, stream_heartbeat_ms: HEARTBEAT_MS, replay_bind: [replay] });
      const subscriber = direct({ receive_hwm: hwm, replay_endpoints: [replay] });
      try {
        await subscriber.connect();
        await publisher.connect();
        const published = 2000;
        const reading = await burstPastStalled(publisher, await subscriber.subscribe([TOPIC], { prefetch: 1 }), published, envelopeFactory());
        await waitFor(() => reading.seqs.length === published, { message: 'every message delivered', timeoutMs: 20_000 });
        expect(reading.replayed.length).toBeGreaterThan(0);
        expect(reading.seqs).toEqual(inOrder(reading.seqs));
        expect(subscriber.counters().missed).toBe(0);
        expect(publisher.recovery().replayed).toBe(reading.replayed.length);
        await reading.stop();
      } finally {
        await subscriber.close();
        await publisher.close();
      }
    }

    it('should refill the lost tail from the publisher itself', async () => {
      // Marks of 160 KiB: ten batches each way, small enough that the burst is dropped.
      await refillTailDirect(160);
    });
  });

  describe('when a producer restarts (fault case 6)', () => {
    it('should take the new instance as a new stream from seq 1: no false gap, nothing replayed', async () => {
      // Default high-water marks: nothing is lost on the way, so anything replayed or reported would be false.
      const relay = await RelayBus.start({ stream_heartbeat_ms: HEARTBEAT_MS });
      bus = relay;
      const subscriber = relay.transport();
      await subscriber.connect();
      const statuses = recordStatus(subscriber.status());
      const subscription = await subscriber.subscribe([TOPIC]);
      const seqs: number[] = [];
      let replayed = 0;
      const reading = (async () => {
        for await (const delivery of subscription) {
          seqs.push(delivery.envelope.seq);
          if ((delivery as ZeroMqDelivery).replayed) replayed += 1;
          await delivery.ack();
        }
      })();
      for (const run of [1, 2, 3]) {
        // The same producer name each time, a new process: a new instance and a new sequence.
        const producer = relay.transport({ stream_heartbeat_ms: HEARTBEAT_MS });
        await producer.connect();
        const make = envelopeFactory('restarting-producer');
        for (let index = 0; index < 50 * run; index += 1) await producer.publish(make(TOPIC, { run }));
        await producer.close();
      }
      await waitFor(() => seqs.length === 50 + 100 + 150, { message: 'every run delivered' });
      // Heartbeats of the runs that ended (the publishers' last ones and the relay's) come and say nothing.
      await waitFor(() => relay.relay.counters().heartbeats > 0, { message: 'the last heartbeats went through' });
      expect(statuses.filter((status) => status.type === 'gap')).toEqual([]);
      expect(subscriber.counters()).toMatchObject({ gaps: 0, missed: 0 });
      expect(replayed).toBe(0);
      await subscription.close();
      await reading;
    });
  });

  describe('when a subscriber joins while a stream is under way (slow joiner)', () => {
    it('should take its first message as the baseline: every later message delivered in order, no false gap', async () => {
      const relay = await RelayBus.start({ stream_heartbeat_ms: HEARTBEAT_MS });
      bus = relay;
      const publisher = relay.transport({ stream_heartbeat_ms: HEARTBEAT_MS });
      await publisher.connect();
      const make = envelopeFactory('joined-late');
      let published = 0;
      let publishing = true;
      onTestFinished(() => {
        publishing = false;
      });
      const producing = (async () => {
        while (publishing) {
          await publisher.publish(make(TOPIC, { published }));
          published += 1;
          // Let the subscriber's sockets read between messages: a steady stream, not a burst.
          if (published % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await waitFor(() => published >= 500, { message: 'the stream is under way' });
      const subscriber = relay.transport();
      await subscriber.connect();
      const statuses = recordStatus(subscriber.status());
      const subscription = await subscriber.subscribe([TOPIC]);
      const seqs: number[] = [];
      const reading = (async () => {
        for await (const delivery of subscription) {
          seqs.push(delivery.envelope.seq);
          await delivery.ack();
        }
      })();
      await waitFor(() => seqs.length >= 500, { message: 'the late subscriber receives the stream' });
      publishing = false;
      await producing;
      await waitFor(() => seqs.at(-1) === published, { message: 'the late subscriber got the end of the stream' });
      const first = seqs[0] ?? 0;
      expect(first, 'it joined mid-stream').toBeGreaterThan(1);
      expect(seqs).toEqual(Array.from({ length: published - first + 1 }, (_, index) => first + index));
      expect(statuses.filter((status) => status.type === 'gap')).toEqual([]);
      await subscription.close();
      await reading;
    });
  });
});
