import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger, type Delivery, type Envelope, type Subscription } from '@statbus/core';
import { envelopeFactory, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Subscriber } from 'zeromq';
import { isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { RelayBus } from './testing/relay-bus.js';
import type { ZeroMqDelivery } from './zeromq-delivery.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const PREFIX = 'org.statbus.dev';
const MIX = [`${PREFIX}.bodhi.update.comment`, `${PREFIX}.koji.tag`, `${PREFIX}.bodhi.update.request`, `${PREFIX}.git.receive`];

/** Reads deliveries into `seen` (acking each) until the subscription ends. */
function collect(subscription: Subscription, seen: Envelope[], replayed: number[] = []): Promise<void> {
  return (async () => {
    for await (const delivery of subscription as AsyncIterable<Delivery>) {
      seen.push(delivery.envelope);
      if ((delivery as ZeroMqDelivery).replayed) replayed.push(delivery.envelope.seq);
      await delivery.ack();
    }
  })();
}

/** ZeroMQ messages and the statbus messages they carried, as a plain SUB socket on `address` saw them. */
function countFrames(address: string): { readonly counts: { zeromq: number; carried: number; batches: number }; close(): void } {
  const socket = new Subscriber({ linger: 0 });
  socket.connect(address);
  socket.subscribe(PREFIX);
  const counts = { zeromq: 0, carried: 0, batches: 0 };
  void (async () => {
    for await (const [frame] of socket) {
      counts.zeromq += 1;
      if (frame !== undefined && isBatchFrame(frame)) {
        counts.batches += 1;
        const split = splitBatchFrame(frame);
        counts.carried += Array.isArray(split) ? split.length : 0;
      } else {
        counts.carried += 1;
      }
    }
  })().catch(() => undefined);
  return { counts, close: () => socket.close() };
}

describe(`${ZeroMqTransport.name} adaptive batching`, () => {
  const closing: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  function direct(hwm: { send_hwm?: number; receive_hwm?: number } = {}): { publisher: ZeroMqTransport; subscriber: () => ZeroMqTransport; address: string } {
    const address = `ipc://${mkdtempSync(join(tmpdir(), 'statbus-batch-'))}/pub`;
    onTestFinished(() => rmSync(address.slice('ipc://'.length, -'/pub'.length), { recursive: true, force: true }));
    const publisher = new ZeroMqTransport(configSchema.parse({ zeromq: { bind: [address], use_relay: false, stream_heartbeat_ms: 0, ...hwm } }), silentLogger);
    closing.push(() => publisher.close());
    const subscriber = (): ZeroMqTransport => {
      const transport = new ZeroMqTransport(configSchema.parse({ zeromq: { endpoints: { pub: [address] }, use_relay: false, ...hwm } }), silentLogger);
      closing.unshift(() => transport.close());
      return transport;
    };
    return { publisher, subscriber, address };
  }

  describe('when a burst is published without waiting', () => {
    it('should deliver it complete, in order, with its seqs, in far fewer ZeroMQ messages', async () => {
      const { publisher, subscriber, address } = direct();
      await publisher.connect();
      const reader = subscriber();
      await reader.connect();
      const seen: Envelope[] = [];
      const reading = collect(await reader.subscribe([`${PREFIX}.#`], { prefetch: 50 }), seen);
      const frames = countFrames(address);
      closing.push(() => frames.close());
      await waitFor(async () => {
        await publisher.publish(envelopeFactory()(`${PREFIX}.probe.sent`));
        return frames.counts.zeromq > 0 && seen.length > 0;
      }, { message: 'both subscribers joined' });
      const make = envelopeFactory();
      const published = 5000;
      const envelopes = Array.from({ length: published }, (_, index) => make(MIX[index % MIX.length] as string, { index }));
      // Probes still travelling are left out: the burst is what is counted.
      const burst = (): Envelope[] => seen.filter((envelope) => !envelope.topic.endsWith('.probe.sent'));
      const before = frames.counts.carried;
      await Promise.all(envelopes.map((envelope) => publisher.publish(envelope)));
      await waitFor(() => burst().length === published, { message: 'the whole burst delivered' });
      expect(burst().map((envelope) => envelope.seq)).toEqual(envelopes.map((envelope) => envelope.seq));
      expect(burst().map((envelope) => envelope.topic)).toEqual(envelopes.map((envelope) => envelope.topic));
      expect(reader.counters()).toMatchObject({ gaps: 0, missed: 0 });
      await waitFor(() => frames.counts.carried - before >= published, { message: 'the plain SUB saw the burst' });
      expect(frames.counts.batches).toBeGreaterThan(0);
      expect(frames.counts.zeromq, 'ZeroMQ messages for the burst and the probes').toBeLessThan(published / 10);
      await reader.close();
      await reading;
    });
  });

  describe('when one message is published alone', () => {
    it('should send it at once, alone, before the event loop turns', async () => {
      const { publisher, address } = direct();
      await publisher.connect();
      const frames = countFrames(address);
      closing.push(() => frames.close());
      const make = envelopeFactory();
      await waitFor(async () => {
        await publisher.publish(make(`${PREFIX}.probe.sent`));
        return frames.counts.zeromq > 0;
      }, { message: 'the plain SUB joined' });
      // Idle again: nothing sent in this turn, nothing waiting.
      await new Promise((resolve) => setImmediate(resolve));
      let turned = false;
      setImmediate(() => {
        turned = true;
      });
      const before = frames.counts.zeromq;
      await publisher.publish(make(`${PREFIX}.lone.message`));
      expect(turned, 'the publish was queued by ZeroMQ within the same turn: no timer, no end-of-turn wait').toBe(false);
      // At least: a join probe still on its way may land after `before` was read (a loaded machine); that the
      // lone message travelled alone is what `batches` says.
      await waitFor(() => frames.counts.zeromq >= before + 1, { message: 'the lone message arrived' });
      expect(frames.counts.batches).toBe(0);
    });
  });

  describe('when subscribers take different topics of a mixed burst', () => {
    it('should give each exactly the messages its patterns match, in order, with no gap', async () => {
      // Topics that alternate between audiences make batches of one to three messages, and a high-water mark
      // counts them as batches (see batchHighWaterMark): marks that hold the whole burst, since nothing replays it.
      const { publisher, subscriber } = direct({ send_hwm: 64_000, receive_hwm: 64_000 });
      await publisher.connect();
      const patterns = [[`${PREFIX}.bodhi.#`], [`${PREFIX}.koji.*`], [`${PREFIX}.*.update.request`, `${PREFIX}.git.#`], ['#']];
      const readers = patterns.map(() => subscriber());
      const seen = patterns.map((): Envelope[] => []);
      const readings: Promise<void>[] = [];
      for (const [index, reader] of readers.entries()) {
        await reader.connect();
        readings.push(collect(await reader.subscribe(patterns[index] as string[], { prefetch: 100 }), seen[index] as Envelope[]));
      }
      const make = envelopeFactory();
      const published = 4000;
      // Runs of one topic and single alternations, so batches start and close on every kind of boundary.
      const topicOf = (index: number): string => MIX[(index % 7 < 3 ? 0 : index) % MIX.length] as string;
      const envelopes = Array.from({ length: published }, (_, index) => make(topicOf(index), { index }));
      await Promise.all(envelopes.map((envelope) => publisher.publish(envelope)));
      const wanted = [
        (topic: string) => topic.startsWith(`${PREFIX}.bodhi.`),
        (topic: string) => topic === `${PREFIX}.koji.tag`,
        (topic: string) => topic.endsWith('.update.request') || topic.startsWith(`${PREFIX}.git.`),
        () => true,
      ].map((match) => envelopes.filter((envelope) => match(envelope.topic)).map((envelope) => envelope.seq));
      await waitFor(() => seen.every((envelopes, index) => envelopes.length >= (wanted[index]?.length ?? 0)), { message: 'every subscriber got its share' });
      expect(seen.map((envelopes) => envelopes.map((envelope) => envelope.seq))).toEqual(wanted);
      for (const reader of readers) expect(reader.counters()).toMatchObject({ gaps: 0, missed: 0 });
      await Promise.all(readers.map((reader) => reader.close()));
      await Promise.all(readings);
    });
  });

  describe('through the relay', () => {
    let bus: RelayBus | undefined;
    afterEach(async () => {
      await bus?.close();
      bus = undefined;
    });

    it('should forward batches to subscribers of different prefixes, each getting exactly its share in order', async () => {
      // Marks that hold the whole burst: with heartbeats off a dropped tail would go unnoticed, and this case is
      // about where batches go, not about loss (the gap cases below are).
      const roomy = { send_hwm: 100_000, receive_hwm: 100_000 };
      bus = await RelayBus.start({ stream_heartbeat_ms: 0, ...roomy });
      const publisher = bus.transport({ stream_heartbeat_ms: 0, ...roomy });
      const bodhi = bus.transport(roomy);
      const koji = bus.transport(roomy);
      const bodhiSeen: Envelope[] = [];
      const kojiSeen: Envelope[] = [];
      await Promise.all([publisher.connect(), bodhi.connect(), koji.connect()]);
      const readings = [collect(await bodhi.subscribe([`${PREFIX}.bodhi.#`]), bodhiSeen), collect(await koji.subscribe([`${PREFIX}.koji.#`]), kojiSeen)];
      const make = envelopeFactory();
      const envelopes = Array.from({ length: 3000 }, (_, index) => make(MIX[index % 2] as string, { index }));
      await Promise.all(envelopes.map((envelope) => publisher.publish(envelope)));
      const bodhiWanted = envelopes.filter((envelope) => envelope.topic.includes('.bodhi.')).map((envelope) => envelope.seq);
      const kojiWanted = envelopes.filter((envelope) => envelope.topic.includes('.koji.')).map((envelope) => envelope.seq);
      await waitFor(() => bodhiSeen.length >= bodhiWanted.length && kojiSeen.length >= kojiWanted.length, { message: 'both subscribers got their share' });
      expect(bodhiSeen.map((envelope) => envelope.seq)).toEqual(bodhiWanted);
      expect(kojiSeen.map((envelope) => envelope.seq)).toEqual(kojiWanted);
      expect(bus.relay.counters()).toMatchObject({ forwarded: envelopes.length, malformed: 0 });
      await Promise.all([bodhi.close(), koji.close()]);
      await Promise.all(readings);
    });

    it('should detect a gap inside a batched stream and refill it from the relay, in order', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'statbus-batch-gap-'));
      onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
      // Small high-water marks over ipc:// (2 batches of 16 KiB each way): a subscriber that stops reading makes
      // ZeroMQ drop whole batches.
      bus = await RelayBus.start({ send_hwm: 32, relay_inbound: `ipc://${directory}/in`, relay_outbound: `ipc://${directory}/out`, stream_heartbeat_ms: 50 });
      const relay = bus;
      const publisher = relay.transport({ stream_heartbeat_ms: 50 });
      const subscriber = relay.transport({ receive_hwm: 32 });
      await subscriber.connect();
      await publisher.connect();
      const subscription = await subscriber.subscribe([`${PREFIX}.#`], { prefetch: 1 });
      const iterator = subscription[Symbol.asyncIterator]();
      const make = envelopeFactory();
      const body = { blob: 'x'.repeat(2048) };
      await publisher.publish(make(MIX[0] as string, body));
      const held = (await iterator.next()).value as Delivery;
      const published = 3000;
      const burst = Array.from({ length: published - 1 }, (_, index) => make(MIX[index % MIX.length] as string, body));
      await Promise.all(burst.map((envelope) => publisher.publish(envelope)));
      await relay.handedOver(published);
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
      await waitFor(() => seqs.length === published, { message: 'every message delivered', timeoutMs: 20_000 });
      expect(replayed.length, 'the burst did lose messages on the way').toBeGreaterThan(0);
      // Each topic's stream in order (a gap is refilled when the next message of its topic shows it), every message once.
      const seqsOf = (topic: string): number[] => seqs.filter((seq) => [held.envelope, ...burst][seq - held.envelope.seq]?.topic === topic);
      for (const topic of MIX) expect(seqsOf(topic)).toEqual([...seqsOf(topic)].sort((a, b) => a - b));
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: published }, (_, index) => held.envelope.seq + index));
      expect(subscriber.counters()).toMatchObject({ missed: 0 });
      expect(subscriber.recovery().refilled).toBe(replayed.length);
      await subscription.close();
      await reading;
    });
  });
});
