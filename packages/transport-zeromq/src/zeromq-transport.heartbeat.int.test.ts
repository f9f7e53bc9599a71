import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger, type TransportCounters, type TransportStatus } from '@statbus/core';
import { collect, envelopeFactory, recordStatus, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { RelayBus } from './testing/relay-bus.js';
import { burstPastStalledSubscriber, reportedLost } from './testing/stalled-burst.js';
import { encodeHeartbeatFrame, encodeMessageFrame } from './wire-frames.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const TOPIC = 'org.statbus.dev.bodhi.update.comment';
/** Let through by the prefix of a subscription to {@link TOPIC}, not matched by its pattern. */
const LONGER = `${TOPIC}ary`;
const HEARTBEAT_MS = 50;
/** How long a subscription of the tail-loss cases waits to be confirmed live before their burst (default 2 s). */
const READY_TIMEOUT_MS = 15_000;

type Gap = Extract<TransportStatus, { type: 'gap' }>;

const droppedTotal = (counters: TransportCounters): number => Object.values(counters.dropped).reduce((sum, count) => sum + count, 0);

describe(`${ZeroMqTransport.name} stream heartbeats`, () => {
  let bus: RelayBus;

  afterEach(async () => {
    await bus.close();
  });

  describe('when the tail of a burst is dropped at the high-water marks and nothing more is published on the topic', () => {
    it('should report every lost message within a few heartbeat intervals: received + missed == published', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'statbus-tail-'));
      onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
      // A relay that keeps no replay window: every loss is reported, none refilled (refilling: the replay tests).
      bus = await RelayBus.start({ replay_window: 0, send_hwm: 10, relay_inbound: `ipc://${directory}/in`, relay_outbound: `ipc://${directory}/out` });
      const publisher = bus.transport({ stream_heartbeat_ms: HEARTBEAT_MS });
      // The burst's first message is awaited: the subscription must be confirmed live first, however loaded the machine.
      const subscriber = bus.transport({ receive_hwm: 10, ready_timeout_ms: READY_TIMEOUT_MS });
      await subscriber.connect();
      await publisher.connect();
      const statuses = recordStatus(subscriber.status());
      const { held, seqs, stop, published, lastSeq } = await burstPastStalledSubscriber(publisher, await subscriber.subscribe([TOPIC], { prefetch: 1 }), {
        topic: TOPIC,
        published: 2000,
        make: envelopeFactory(),
        afterBurst: (sent) => bus.handedOver(sent),
      });
      const missed = (): number => subscriber.counters().missed;
      const started = Date.now();
      // Nothing more is published on the topic: only the heartbeats can tell what was lost at its end.
      await waitFor(() => seqs.length + missed() === published, { message: 'received + reported missed == published' });
      const reportedAfter = Date.now() - started;
      const gaps = statuses.filter((status): status is Gap => status.type === 'gap');
      console.info(
        `tail loss: ${published} published, ${seqs.length} received (last seq ${seqs.at(-1)}), ${missed()} reported missed in ${gaps.length} gaps, ` +
          `all reported ${reportedAfter} ms after the consumer resumed (heartbeat every ${HEARTBEAT_MS} ms)`,
      );
      expect(seqs.at(-1), 'the tail of the burst was lost').toBeLessThan(lastSeq);
      expect(gaps.at(-1)).toMatchObject({ to: lastSeq, producer: held.envelope.producer.name, instance: held.envelope.producer.instance });
      expect(subscriber.counters()).toMatchObject({ gaps: gaps.length, missed: gaps.reduce((sum, gap) => sum + gap.missed, 0), received: seqs.length });
      const lost = reportedLost(statuses);
      expect(seqs.filter((seq) => lost.has(seq)), 'a received message is never reported lost').toEqual([]);
      expect(lost.size).toBe(missed());
      expect(droppedTotal(subscriber.counters()), 'a heartbeat is never a dropped message').toBe(0);
      await stop();
    });
  });

  describe('when the publisher binds its endpoint (no relay) and the tail of its burst is dropped', () => {
    it('should report every lost message within a few heartbeat intervals', async () => {
      bus = await RelayBus.start(); // not used: only so that afterEach has a bus to close
      const directory = mkdtempSync(join(tmpdir(), 'statbus-tail-direct-'));
      onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
      const endpoints = { bodhi: [`ipc://${directory}/bodhi.sock`] };
      const direct = (zeromq: Record<string, unknown>): ZeroMqTransport =>
        new ZeroMqTransport(configSchema.parse({ zeromq: { use_relay: false, endpoints, ...zeromq } }), silentLogger);
      const publisher = direct({ bind: ['bodhi'], send_hwm: 10, stream_heartbeat_ms: HEARTBEAT_MS });
      const subscriber = direct({ receive_hwm: 10, ready_timeout_ms: READY_TIMEOUT_MS });
      await subscriber.connect();
      onTestFinished(async () => {
        await subscriber.close();
        await publisher.close();
      });
      await publisher.connect();
      const { seqs, stop, published, lastSeq } = await burstPastStalledSubscriber(publisher, await subscriber.subscribe([TOPIC], { prefetch: 1 }), {
        topic: TOPIC,
        published: 2000,
        make: envelopeFactory(),
      });
      await waitFor(() => seqs.length + subscriber.counters().missed === published, { message: 'received + reported missed == published' });
      console.info(`tail loss, bound publisher: ${published} published, ${seqs.length} received (last seq ${seqs.at(-1)}), ${subscriber.counters().missed} reported missed`);
      expect(seqs.at(-1), 'the tail of the burst was lost').toBeLessThan(lastSeq);
      expect(droppedTotal(subscriber.counters())).toBe(0);
      await stop();
    });
  });

  describe('when heartbeats come on a topic the prefix lets through but the pattern does not match', () => {
    it('should ignore them like the messages: no gap, nothing dropped, nothing delivered', async () => {
      bus = await RelayBus.start();
      const publisher = bus.transport({ stream_heartbeat_ms: 20 });
      await publisher.connect();
      const subscriber = bus.transport();
      await subscriber.connect();
      const collector = collect(await subscriber.subscribe([TOPIC]));
      const make = envelopeFactory();
      for (let index = 0; index < 20; index += 1) await publisher.publish(make(index % 2 === 0 ? TOPIC : LONGER));
      await waitFor(() => bus.relay.counters().heartbeats >= 6, { message: 'both topics were beaten 3 times' });
      // Behind the heartbeats on the same pipe: once it arrives, they were read.
      await publisher.publish(make(TOPIC));
      await waitFor(() => collector.envelopes.length === 11);
      expect(collector.envelopes.every((envelope) => envelope.topic === TOPIC)).toBe(true);
      expect(subscriber.counters()).toMatchObject({ gaps: 0, missed: 0, received: 11 });
      expect(droppedTotal(subscriber.counters())).toBe(0);
    });
  });

  describe('when a subscriber joins a stream already flowing and hears a heartbeat first', () => {
    it('should take it as the baseline, not report the earlier messages lost', async () => {
      bus = await RelayBus.start();
      const publisher = bus.transport({ stream_heartbeat_ms: 20 });
      await publisher.connect();
      const make = envelopeFactory();
      for (let index = 0; index < 20; index += 1) await publisher.publish(make(TOPIC));
      await waitFor(() => bus.relay.counters().forwarded === 20, { message: 'the first 20 passed the relay' });
      const subscriber = bus.transport();
      await subscriber.connect();
      const collector = collect(await subscriber.subscribe(['#']));
      const beats = bus.relay.counters().heartbeats;
      await waitFor(() => bus.relay.counters().heartbeats > beats, { message: 'a heartbeat after the subscription' });
      await publisher.publish(make(TOPIC));
      await waitFor(() => collector.envelopes.length === 1);
      expect(collector.envelopes[0]?.seq).toBe(21);
      expect(subscriber.counters()).toMatchObject({ gaps: 0, missed: 0 });
    });
  });

  describe('when a heartbeat tells of messages that never arrived (forged frames of a publisher)', () => {
    it('should report them as a gap of the producer of the last message seen, and deliver no heartbeat', async () => {
      bus = await RelayBus.start();
      const subscriber = bus.transport();
      await subscriber.connect();
      const statuses = recordStatus(subscriber.status());
      const collector = collect(await subscriber.subscribe([TOPIC]));
      const make = envelopeFactory('forged');
      const first = make(TOPIC);
      await bus.inject([encodeMessageFrame(TOPIC, { publisher: 'p0', n: 1, seq: first.seq, prevSeq: 0 }, JSON.stringify(first))]);
      await bus.inject([encodeHeartbeatFrame(TOPIC, { publisher: 'p0', n: 1, seq: first.seq })]);
      await bus.inject([encodeHeartbeatFrame(TOPIC, { publisher: 'p0', n: 4, seq: 9 })]);
      await bus.inject([Buffer.from(`${TOPIC} h9 p0 5 10`)]);
      await waitFor(() => subscriber.counters().gaps === 1 && droppedTotal(subscriber.counters()) === 1);
      expect(statuses.find((status) => status.type === 'gap')).toEqual({ type: 'gap', producer: 'forged', instance: first.producer.instance, from: first.seq + 1, to: 9, missed: 3 });
      expect(subscriber.counters().dropped.malformed, 'a frame of an unknown kind').toBe(1);
      expect(collector.envelopes).toEqual([first]);
    });
  });

  describe('.close', () => {
    describe('when a short-lived publisher closes right after publishing', () => {
      it('should send a last heartbeat of its stream through the relay', async () => {
        bus = await RelayBus.start();
        const subscriber = bus.transport();
        await subscriber.connect();
        const collector = collect(await subscriber.subscribe([TOPIC]));
        const publisher = bus.transport({ stream_heartbeat_ms: 60_000 });
        await publisher.connect();
        await publisher.publish(envelopeFactory('cli')(TOPIC));
        await publisher.close();
        await waitFor(() => bus.relay.counters().heartbeats === 1, { message: 'the heartbeat sent at close' });
        await waitFor(() => collector.envelopes.length === 1);
        expect(subscriber.counters()).toMatchObject({ gaps: 0, received: 1 });
      });

      it('should send none when heartbeats are off', async () => {
        bus = await RelayBus.start();
        const publisher = bus.transport({ stream_heartbeat_ms: 0 });
        await publisher.connect();
        await publisher.publish(envelopeFactory('cli')(TOPIC));
        await publisher.close();
        await waitFor(() => bus.relay.counters().forwarded === 1);
        expect(bus.relay.counters().heartbeats).toBe(0);
      });
    });
  });
});
