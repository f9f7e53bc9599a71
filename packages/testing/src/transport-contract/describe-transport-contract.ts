import { CodecError, TopicError, TransportError, type Delivery, type Transport } from '@statbus/core';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PATTERN_CASES, INVALID_PATTERNS } from '../fixtures/pattern-cases.js';
import { waitFor } from '../wait-for.js';
import { CONTRACT_PREFIX, collect, envelopeFactory, received, recordStatus } from './contract-helpers.js';
import { describeTransportStates } from './describe-transport-states.js';
import type { TransportHarness } from './transport-harness.js';

const TOPIC = `${CONTRACT_PREFIX}.bodhi.update.comment`;
const SENTINEL = `${CONTRACT_PREFIX}.contract.sentinel.end`;

/**
 * The contract every {@link Transport} backend must pass. `setup` makes a fresh bus per test; the suite
 * creates, connects and closes transports on it. Backend-specific cases run when the harness's
 * capabilities say the backend has the feature.
 */
export function describeTransportContract(name: string, setup: () => Promise<TransportHarness>): void {
  describe(`Transport contract: ${name}`, () => {
    let harness: TransportHarness;
    const open: Transport[] = [];

    function queueName(label: string): string {
      return harness.queueName?.(label) ?? `statbus.test.contract.${label}.${randomUUID()}`;
    }

    async function connected(): Promise<Transport> {
      const transport = await harness.create();
      open.push(transport);
      await transport.connect();
      return transport;
    }

    beforeEach(async () => {
      harness = await setup();
    });

    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((transport) => transport.close()));
      await harness.teardown();
    });

    describeTransportStates({
      fresh: async () => {
        const transport = await harness.create();
        open.push(transport);
        return transport;
      },
      connected,
    });

    describe('.publish and .subscribe', () => {
      it('should deliver a published envelope unchanged', async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const collector = collect(await subscriber.subscribe([`${CONTRACT_PREFIX}.#`]));
        const envelope = envelopeFactory()(TOPIC, { update: 'FEDORA-2026-1a2b3c', comment: 'works for me', karma: 1, tags: ['a', 'b'], nested: { x: null } });
        await publisher.publish(envelope);
        await received(collector, 1);
        expect(collector.envelopes[0]).toEqual(envelope);
      });

      it('should match patterns exactly as the AMQP table says, many patterns on one subscription', async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const patterns = [...new Set(PATTERN_CASES.map((row) => row.pattern))];
        const topics = [...new Set(PATTERN_CASES.map((row) => row.topic))];
        const collectors = await Promise.all(
          patterns.map(async (pattern) => ({ pattern, collector: collect(await subscriber.subscribe([pattern, SENTINEL])) })),
        );
        const make = envelopeFactory();
        for (const topic of topics) await publisher.publish(make(topic, { topic }));
        await publisher.publish(make(SENTINEL));
        for (const { pattern, collector } of collectors) {
          await waitFor(() => collector.envelopes.some((envelope) => envelope.topic === SENTINEL), { message: `sentinel through ${pattern}` });
          const got = collector.envelopes.filter((envelope) => envelope.topic !== SENTINEL).map((envelope) => envelope.topic);
          const expected = topics.filter((topic) => PATTERN_CASES.some((row) => row.pattern === pattern && row.topic === topic && row.matches));
          const notExpected = PATTERN_CASES.filter((row) => row.pattern === pattern && !row.matches).map((row) => row.topic);
          expect(got, `pattern ${pattern}`).toEqual(expect.arrayContaining(expected));
          expect(got.filter((topic) => notExpected.includes(topic)), `pattern ${pattern} must not match`).toEqual([]);
          expect(new Set(got).size, `pattern ${pattern} delivers each message once`).toBe(got.length);
        }
      });

      it('should deliver a message matching two patterns of one subscription once', async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const collector = collect(await subscriber.subscribe([`${CONTRACT_PREFIX}.bodhi.#`, `#.comment`, SENTINEL]));
        const make = envelopeFactory();
        await publisher.publish(make(TOPIC));
        await publisher.publish(make(SENTINEL));
        await waitFor(() => collector.envelopes.some((envelope) => envelope.topic === SENTINEL));
        expect(collector.envelopes.map((envelope) => envelope.topic)).toEqual([TOPIC, SENTINEL]);
      });

      it("should keep each producer's order", async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const collector = collect(await subscriber.subscribe(['#']));
        const make = envelopeFactory();
        const count = 500;
        await Promise.all(Array.from({ length: count }, (_, index) => publisher.publish(make(TOPIC, { index }))));
        await received(collector, count);
        expect(collector.envelopes.map((envelope) => envelope.seq)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
      });

      it('should give every subscriber its own copy', async () => {
        const [publisher, first, second] = [await connected(), await connected(), await connected()];
        const one = collect(await first.subscribe([`${CONTRACT_PREFIX}.bodhi.*.*`]));
        const two = collect(await second.subscribe([`#.comment`]));
        const envelope = envelopeFactory()(TOPIC);
        await publisher.publish(envelope);
        await received(one, 1);
        await received(two, 1);
        expect(one.envelopes[0]?.id).toBe(envelope.id);
        expect(two.envelopes[0]?.id).toBe(envelope.id);
      });

      it('should call a handler given at subscribe time for each delivery', async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const handled: string[] = [];
        await subscriber.subscribe(['#'], { handler: (delivery) => void handled.push(delivery.envelope.id) });
        const make = envelopeFactory();
        const sent = [make(TOPIC), make(TOPIC)];
        for (const envelope of sent) await publisher.publish(envelope);
        await waitFor(() => handled.length === 2);
        expect(handled).toEqual(sent.map((envelope) => envelope.id));
      });
    });

    describe('bad input', () => {
      it('should reject a malformed pattern with a TopicError', async () => {
        const transport = await connected();
        for (const pattern of INVALID_PATTERNS) {
          await expect(transport.subscribe([pattern]), `pattern ${JSON.stringify(pattern)}`).rejects.toBeInstanceOf(TopicError);
        }
      });

      it('should reject an oversized message with ERR_MESSAGE_TOO_LARGE', async () => {
        const transport = await connected();
        const envelope = envelopeFactory()(TOPIC, { blob: 'x'.repeat(2 * 1024 * 1024) });
        const failure = await transport.publish(envelope).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(CodecError);
        expect((failure as CodecError).code).toBe('ERR_MESSAGE_TOO_LARGE');
      });

      it('should drop, count and report a malformed frame, and keep going', async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const statuses = recordStatus(subscriber.status());
        const collector = collect(await subscriber.subscribe(['#']));
        await harness.injectRaw(TOPIC, Buffer.from('this is not json {'));
        await harness.injectRaw(TOPIC, Buffer.from(JSON.stringify({ id: 'x', topic: TOPIC })));
        const good = envelopeFactory()(TOPIC);
        await publisher.publish(good);
        await received(collector, 1);
        await waitFor(() => subscriber.counters().dropped.malformed >= 1 && subscriber.counters().dropped.invalid >= 1, { message: 'drops counted' });
        expect(collector.envelopes.map((envelope) => envelope.id)).toEqual([good.id]);
        await waitFor(() => statuses.filter((status) => status.type === 'dropped').length >= 2, { message: 'drops reported on status()' });
      });
    });

    describe('.status and .close', () => {
      it('should report connected, then closed', async () => {
        const transport = await harness.create();
        open.push(transport);
        const statuses = recordStatus(transport.status());
        await transport.connect();
        await waitFor(() => statuses.some((status) => status.type === 'connected'), { message: 'connected status' });
        await transport.close();
        await waitFor(() => statuses.at(-1)?.type === 'closed', { message: 'closed status last' });
      });

      it('should resolve pending publishes, end subscriptions, and be idempotent', async () => {
        const [publisher, subscriber] = [await connected(), await connected()];
        const subscription = await subscriber.subscribe(['#']);
        const collector = collect(subscription);
        const make = envelopeFactory();
        const pending = Array.from({ length: 50 }, () => publisher.publish(make(TOPIC)));
        await Promise.all([publisher.close(), publisher.close()]);
        await expect(Promise.all(pending)).resolves.toBeDefined();
        await received(collector, 50);
        await subscriber.close();
        await subscriber.close();
        await collector.done;
        await expect(subscription.closed).resolves.toBeUndefined();
      });

      it('should reject publish and subscribe after close with ERR_CLOSED', async () => {
        const transport = await connected();
        await transport.close();
        const publishing = await transport.publish(envelopeFactory()(TOPIC)).catch((error: unknown) => error);
        expect(publishing).toBeInstanceOf(TransportError);
        expect((publishing as TransportError).code).toBe('ERR_CLOSED');
        const subscribing = await transport.subscribe(['#']).catch((error: unknown) => error);
        expect((subscribing as TransportError).code).toBe('ERR_CLOSED');
      });
    });

    describe('settlement', () => {
      it('should deliver a nacked message again, marked redelivered', async (context) => {
        if (!harness.capabilities.redelivery) return context.skip('this transport does not redeliver');
        const [publisher, subscriber] = [await connected(), await connected()];
        const subscription = await subscriber.subscribe(['#'], { queue: queueName('redelivery') });
        const envelope = envelopeFactory()(TOPIC);
        await publisher.publish(envelope);
        const iterator = subscription[Symbol.asyncIterator]();
        const first = (await iterator.next()).value as Delivery;
        expect(first.redelivered).toBe(false);
        await first.nack({ requeue: true });
        const second = (await iterator.next()).value as Delivery;
        expect(second.envelope.id).toBe(envelope.id);
        expect(second.redelivered).toBe(true);
        expect(second.deliveryCount).toBeGreaterThanOrEqual(2);
        await second.ack();
      });

      it('should share a named queue between competing consumers', async (context) => {
        if (!harness.capabilities.sharedQueues) return context.skip('this transport has no shared queues');
        const [publisher, first, second] = [await connected(), await connected(), await connected()];
        const queue = queueName('shared');
        const one = collect(await first.subscribe(['#'], { queue, prefetch: 1 }));
        const two = collect(await second.subscribe(['#'], { queue, prefetch: 1 }));
        const make = envelopeFactory();
        const count = 40;
        for (let index = 0; index < count; index += 1) await publisher.publish(make(TOPIC, { index }));
        await waitFor(() => one.envelopes.length + two.envelopes.length >= count);
        const ids = [...one.envelopes, ...two.envelopes].map((envelope) => envelope.id);
        expect(new Set(ids).size).toBe(count);
        expect(one.envelopes.length).toBeGreaterThan(0);
        expect(two.envelopes.length).toBeGreaterThan(0);
      });
    });
  });
}
