import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type TransportStatus } from '@statbus/core';
import { collect, envelopeFactory, recordStatus, waitFor } from '@statbus/testing';
import { Publisher } from 'zeromq';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { RelayBus } from './testing/relay-bus.js';
import { burstPastStalledSubscriber, reportedLost } from './testing/stalled-burst.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const TOPIC = 'org.statbus.dev.bodhi.update.comment';
const OTHER = 'org.statbus.dev.copr.build.end';

type Gap = Extract<TransportStatus, { type: 'gap' }>;

describe(ZeroMqTransport, () => {
  let bus: RelayBus;

  afterEach(async () => {
    await bus.close();
  });

  describe('.subscribe', () => {
    describe('when the consumer is too slow and ZeroMQ drops at its high-water marks', () => {
      it('should report every lost message as a gap: missed + received == published', async () => {
        // ipc:// keeps the kernel's buffers small, so the high-water marks are what limits the backlog.
        const directory = mkdtempSync(join(tmpdir(), 'statbus-loss-'));
        onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
        // A relay that keeps no replay window: every loss is reported, none refilled (refilling: the replay tests).
        bus = await RelayBus.start({ replay_window: 0, send_hwm: 10, relay_inbound: `ipc://${directory}/in`, relay_outbound: `ipc://${directory}/out` });
        // Heartbeats off: this proves the gaps that messages themselves reveal (the tail: see the heartbeat tests).
        const publisher = bus.transport({ stream_heartbeat_ms: 0 });
        const subscriber = bus.transport({ receive_hwm: 10 });
        await publisher.connect();
        await subscriber.connect();
        const statuses = recordStatus(subscriber.status());
        const subscription = await subscriber.subscribe([TOPIC], { prefetch: 1 });
        const { held, seqs, make, stop, lastSeq } = await burstPastStalledSubscriber(publisher, subscription, {
          topic: TOPIC,
          published: 3000,
          make: envelopeFactory(),
          afterBurst: (sent) => bus.handedOver(sent),
        });
        // Once the backlog is read, one more message shows what was lost at the end of the burst.
        await waitFor(async () => {
          await publisher.publish(make(TOPIC, { final: true }));
          return seqs.at(-1)! > lastSeq;
        }, { message: 'a message after the burst arrives' });
        // From the held message on: what came before it set no baseline, so its loss is no gap.
        const sent = seqs.at(-1)! - held.envelope.seq + 1;
        const gaps = statuses.filter((status): status is Gap => status.type === 'gap');
        const missed = gaps.reduce((sum, gap) => sum + gap.missed, 0);
        console.info(`slow consumer: ${sent} published, ${seqs.length} received, ${missed} reported missed in ${gaps.length} gaps`);
        expect(missed).toBeGreaterThan(0);
        expect(missed + seqs.length).toBe(sent);
        expect(subscriber.counters()).toMatchObject({ gaps: gaps.length, missed });
        const lost = reportedLost(statuses);
        expect(seqs.filter((seq) => lost.has(seq)), 'a received message is never reported lost').toEqual([]);
        expect(lost.size).toBe(missed);
        await stop();
      });
    });

    describe('when the subscription matches only some of a producer’s topics', () => {
      it('should report no gap for the seq numbers of the other topics', async () => {
        bus = await RelayBus.start();
        const publisher = bus.transport();
        const subscriber = bus.transport();
        await subscriber.connect();
        await publisher.connect();
        const collector = collect(await subscriber.subscribe([TOPIC]));
        const make = envelopeFactory();
        for (let index = 0; index < 50; index += 1) await publisher.publish(make(index % 2 === 0 ? TOPIC : OTHER));
        await waitFor(() => collector.envelopes.length === 25);
        expect(subscriber.counters()).toMatchObject({ gaps: 0, missed: 0, received: 25 });
      });
    });

    describe('when it joins a stream already flowing', () => {
      it('should take the first message as the baseline, not report earlier ones lost', async () => {
        bus = await RelayBus.start();
        const publisher = bus.transport();
        await publisher.connect();
        const make = envelopeFactory();
        for (let index = 0; index < 20; index += 1) await publisher.publish(make(TOPIC));
        await waitFor(() => bus.relay.counters().forwarded === 20, { message: 'the first 20 passed the relay' });
        const subscriber = bus.transport();
        await subscriber.connect();
        const collector = collect(await subscriber.subscribe(['#']));
        await publisher.publish(make(TOPIC));
        await waitFor(() => collector.envelopes.length === 1);
        expect(collector.envelopes[0]?.seq).toBe(21);
        expect(subscriber.counters().gaps).toBe(0);
      });
    });

    describe('when a producer without stream frames (fedmsg-style) skips seq numbers', () => {
      it('should report the hole of its envelope seq to a subscriber of every topic', async () => {
        bus = await RelayBus.start();
        const subscriber = bus.transport();
        await subscriber.connect();
        const statuses = recordStatus(subscriber.status());
        const collector = collect(await subscriber.subscribe(['#']));
        const make = envelopeFactory('foreign');
        const envelopes = Array.from({ length: 6 }, () => make(TOPIC));
        for (const envelope of [envelopes[0], envelopes[1], envelopes[5]]) await bus.inject([TOPIC, JSON.stringify(envelope)]);
        await waitFor(() => collector.envelopes.length === 3);
        const gap = statuses.find((status): status is Gap => status.type === 'gap');
        expect(gap).toMatchObject({ producer: 'foreign', instance: envelopes[0]?.producer.instance, from: 3, to: 5, missed: 3 });
      });
    });
  });

  describe('.connect', () => {
    describe('when a fresh publisher publishes at once (slow joiner)', () => {
      it('should lose none of its first messages', async () => {
        bus = await RelayBus.start();
        const subscriber = bus.transport();
        await subscriber.connect();
        const collector = collect(await subscriber.subscribe(['#']));
        const rounds = 20;
        for (let round = 0; round < rounds; round += 1) {
          const fresh = bus.transport();
          await fresh.connect();
          const make = envelopeFactory(`fresh-${round}`);
          await fresh.publish(make(TOPIC, { round }));
          await fresh.publish(make(TOPIC, { round }));
          await fresh.close();
        }
        await waitFor(() => collector.envelopes.length === 2 * rounds, { message: `${2 * rounds} first messages` });
        expect(collector.envelopes.map((envelope) => envelope.seq)).toEqual(Array.from({ length: rounds }, () => [1, 2]).flat());
      });
    });

    describe('when a plain ZeroMQ publisher does the same without waiting (the problem solved above)', () => {
      it('should show why waiting is needed: its first message is usually lost', async () => {
        bus = await RelayBus.start();
        const subscriber = bus.transport();
        await subscriber.connect();
        const collector = collect(await subscriber.subscribe(['#']));
        const rounds = 20;
        for (let round = 0; round < rounds; round += 1) {
          const socket = new Publisher({ linger: 1000 });
          socket.connect(bus.relay.inboundAddress!);
          await socket.send([TOPIC, JSON.stringify(envelopeFactory(`plain-${round}`)(TOPIC))]);
          socket.close();
        }
        const marker = bus.transport();
        await marker.connect();
        await marker.publish(envelopeFactory('marker')(TOPIC));
        await waitFor(() => collector.envelopes.some((envelope) => envelope.producer.name === 'marker'));
        const plain = collector.envelopes.filter((envelope) => envelope.producer.name.startsWith('plain-')).length;
        console.info(`slow joiner: ${plain}/${rounds} first messages of plain PUB sockets arrived`);
        expect(plain).toBeLessThan(rounds);
      });
    });

    describe('when the relay does not answer', () => {
      it('should reject with ERR_CONNECTION naming the relay address', async () => {
        bus = await RelayBus.start();
        const transport = new ZeroMqTransport(bus.config({ relay_inbound: 'tcp://127.0.0.1:9', ready_timeout_ms: 200 }), silentLogger);
        await expect(transport.connect()).rejects.toMatchObject({ code: 'ERR_CONNECTION', address: 'tcp://127.0.0.1:9' });
        await transport.close();
      });
    });
  });
});
