import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger, type Delivery, type TransportStatus } from '@statbus/core';
import { collect, envelopeFactory, recordStatus, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Publisher } from 'zeromq';
import { RelayBus } from './testing/relay-bus.js';
import { encodeStreamPosition } from './wire-frames.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const TOPIC = 'org.statbus.dev.bodhi.update.comment';

describe(ZeroMqTransport, () => {
  describe('through a relay', () => {
    let bus: RelayBus;

    beforeEach(async () => {
      bus = await RelayBus.start();
    });

    afterEach(async () => {
      await bus.close();
    });

    describe('.subscribe', () => {
      describe('when a message is published right after subscribe() resolved', () => {
        it('should deliver it, every time (the subscription is live when subscribe resolves)', async () => {
          const publisher = bus.transport();
          const subscriber = bus.transport();
          await subscriber.connect();
          await publisher.connect();
          const make = envelopeFactory();
          for (let round = 0; round < 20; round += 1) {
            const subscription = await subscriber.subscribe([`org.statbus.dev.round${round}.#`]);
            const collector = collect(subscription);
            await publisher.publish(make(`org.statbus.dev.round${round}.first`));
            await waitFor(() => collector.envelopes.length === 1, { message: `round ${round}` });
            await subscription.close();
          }
          expect(bus.relay.counters().probes).toBe(20);
        });
      });

      describe('when broken frames arrive', () => {
        it('should drop each by reason, report it, and keep delivering', async () => {
          const publisher = bus.transport();
          const subscriber = bus.transport({}, { codec: { max_message_bytes: 2048 } });
          await subscriber.connect();
          await publisher.connect();
          const statuses = recordStatus(subscriber.status());
          const collector = collect(await subscriber.subscribe(['#']));
          const make = envelopeFactory();
          const valid = JSON.stringify(make(TOPIC));
          await bus.inject([TOPIC, valid, 'x', 'y']);
          await bus.inject([TOPIC]);
          await bus.inject([TOPIC, valid, 'not a stream frame']);
          await bus.inject([TOPIC, Buffer.from([0xc3, 0x28])]);
          await bus.inject([TOPIC, JSON.stringify(make(TOPIC, { blob: 'x'.repeat(4096) }))]);
          await bus.inject(['org.statbus.dev.other.topic', valid]);
          const position = encodeStreamPosition({ publisher: 'p', n: 1, seq: 3, prevSeq: 0 });
          await bus.inject([TOPIC, 'garbage', position]);
          await bus.inject([`${TOPIC} s1 p 1 3 0 {not json`]);
          await bus.inject([`${TOPIC} s1 p x 3 0 ${valid}`]);
          const good = make(TOPIC);
          await publisher.publish(good);
          await waitFor(() => collector.envelopes.length === 1);
          await waitFor(() => statuses.filter((status) => status.type === 'dropped').length === 9);
          expect(collector.envelopes[0]?.id).toBe(good.id);
          expect(subscriber.counters().dropped).toEqual({ malformed: 7, 'too-large': 1, invalid: 0, 'topic-mismatch': 1, rejected: 0, overflow: 0 });
        });
      });
    });

    describe('settlement', () => {
      describe('when a delivery is nacked with requeue again and again', () => {
        it('should redeliver it up to max_deliveries, then drop it as rejected', async () => {
          const publisher = bus.transport();
          const subscriber = bus.transport({ max_deliveries: 3 });
          await subscriber.connect();
          await publisher.connect();
          const statuses = recordStatus(subscriber.status());
          const subscription = await subscriber.subscribe(['#']);
          const iterator = subscription[Symbol.asyncIterator]();
          const envelope = envelopeFactory()(TOPIC);
          await publisher.publish(envelope);
          const counts: number[] = [];
          for (let attempt = 0; attempt < 3; attempt += 1) {
            const delivery = (await iterator.next()).value as Delivery;
            counts.push(delivery.deliveryCount);
            expect(delivery.redelivered).toBe(attempt > 0);
            await delivery.nack();
          }
          expect(counts).toEqual([1, 2, 3]);
          await waitFor(() => subscriber.counters().dropped.rejected === 1);
          expect(statuses.some((status) => status.type === 'dropped' && status.reason === 'rejected')).toBe(true);
        });
      });

      describe('when a delivery is nacked without requeue', () => {
        it('should drop it as rejected at once', async () => {
          const publisher = bus.transport();
          const subscriber = bus.transport();
          await subscriber.connect();
          await publisher.connect();
          const subscription = await subscriber.subscribe(['#']);
          await publisher.publish(envelopeFactory()(TOPIC));
          const delivery = (await subscription[Symbol.asyncIterator]().next()).value as Delivery;
          await delivery.nack({ requeue: false });
          await delivery.ack();
          expect(subscriber.counters().dropped.rejected).toBe(1);
        });
      });

      describe('when a handler throws', () => {
        it('should call it again with the redelivered message', async () => {
          const publisher = bus.transport();
          const subscriber = bus.transport();
          await subscriber.connect();
          await publisher.connect();
          const calls: number[] = [];
          await subscriber.subscribe(['#'], {
            queue: 'only-a-label',
            handler: (delivery) => {
              calls.push(delivery.deliveryCount);
              if (delivery.deliveryCount === 1) throw new Error('not yet');
            },
          });
          await publisher.publish(envelopeFactory()(TOPIC));
          await waitFor(() => calls.length === 2);
          expect(calls).toEqual([1, 2]);
          expect(subscriber.counters().dropped.rejected).toBe(0);
        });
      });
    });

    describe('.status', () => {
      describe('when the relay goes away and comes back', () => {
        it('should report disconnected, then connected again', async () => {
          const subscriber = bus.transport({ reconnect_interval_ms: 20, reconnect_interval_max_ms: 50 });
          await subscriber.connect();
          const statuses = recordStatus(subscriber.status());
          await subscriber.subscribe(['#']);
          const outbound = bus.relay.outboundAddress!;
          const inbound = bus.relay.inboundAddress!;
          await bus.relay.close();
          await waitFor(() => statuses.some((status) => status.type === 'disconnected' && status.address === outbound));
          const again = RelayBus.start({ relay_inbound: inbound, relay_outbound: outbound });
          const restarted = await again;
          try {
            await waitFor(() => subscriber.counters().reconnects >= 1, { message: 'reconnected' });
            expect(statuses.filter((status) => status.type === 'connected' && status.address === outbound).length).toBeGreaterThanOrEqual(2);
          } finally {
            await subscriber.close();
            await restarted.close();
          }
        });
      });
    });
  });

  describe('without a relay, publishers binding fedmsg-style endpoints', () => {
    let directory: string;
    const transports: ZeroMqTransport[] = [];

    beforeEach(() => {
      directory = mkdtempSync(join(tmpdir(), 'statbus-zmq-'));
    });

    afterEach(async () => {
      await Promise.allSettled(transports.splice(0).map((transport) => transport.close()));
      rmSync(directory, { recursive: true, force: true });
    });

    function transport(zeromq: Record<string, unknown>): ZeroMqTransport {
      const created = new ZeroMqTransport(configSchema.parse({ zeromq: { use_relay: false, ...zeromq } }), silentLogger);
      transports.push(created);
      return created;
    }

    describe('.publish', () => {
      describe('when subscribers connect to the endpoints the producers bind (ipc://)', () => {
        it('should deliver from every producer', async () => {
          const endpoints = { bodhi: [`ipc://${directory}/bodhi.sock`], copr: [`ipc://${directory}/copr.sock`] };
          const bodhi = transport({ endpoints, bind: ['bodhi'] });
          const copr = transport({ endpoints, bind: ['copr'] });
          await bodhi.connect();
          await copr.connect();
          const subscriber = transport({ endpoints });
          await subscriber.connect();
          const collector = collect(await subscriber.subscribe(['org.statbus.dev.#']));
          await bodhi.publish(envelopeFactory('bodhi')(TOPIC));
          await copr.publish(envelopeFactory('copr')('org.statbus.dev.copr.build.end'));
          await waitFor(() => collector.envelopes.length === 2);
          expect(collector.envelopes.map((envelope) => envelope.producer.name).sort()).toEqual(['bodhi', 'copr']);
        });
      });

      describe('when the transport binds nothing and uses no relay', () => {
        it('should reject with ERR_PUBLISH rather than lose the message', async () => {
          const lonely = transport({});
          await lonely.connect();
          await expect(lonely.publish(envelopeFactory()(TOPIC))).rejects.toMatchObject({ code: 'ERR_PUBLISH' });
        });
      });
    });

    describe('.connect', () => {
      describe('when the address to bind is taken', () => {
        it('should reject with ERR_CONNECTION naming it', async () => {
          const holder = new Publisher({ linger: 0 });
          try {
            await holder.bind('tcp://127.0.0.1:*');
            const address = holder.lastEndpoint!;
            const taken = transport({ bind: [address] });
            const statuses: TransportStatus[] = recordStatus(taken.status());
            await expect(taken.connect()).rejects.toMatchObject({ code: 'ERR_CONNECTION', address });
            await taken.close();
            await waitFor(() => statuses.at(-1)?.type === 'closed');
          } finally {
            holder.close();
          }
        });
      });
    });
  });
});
