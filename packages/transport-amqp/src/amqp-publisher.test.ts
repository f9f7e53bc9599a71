import { EventEmitter } from 'node:events';
import { CodecError, TransportCounterSet, TransportError, configSchema, silentLogger, type TransportStatus } from '@statbus/core';
import type { ConfirmChannel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AmqpPublisher, type ConfirmChannelSource, type PublisherSession } from './amqp-publisher.js';
import { envelopes } from './test-support/envelopes.js';

type Confirm = (error: Error | null) => void;

/** A confirm channel that records publishes and lets the test ack, nack, stall and kill it. */
class FakeConfirmChannel extends EventEmitter {
  readonly sent: { routingKey: string; id: string; confirm: Confirm }[] = [];
  flowing = true;

  publish(_exchange: string, routingKey: string, _content: Buffer, options: { messageId: string }, confirm: Confirm): boolean {
    this.sent.push({ routingKey, id: options.messageId, confirm });
    return this.flowing;
  }

  assertExchange(): Promise<{ exchange: string }> {
    return Promise.resolve({ exchange: 'x' });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Like amqplib on a lost connection: every unconfirmed callback gets `channel closed`, then `close`. */
  die(): void {
    for (const { confirm } of this.sent) confirm(new Error('channel closed'));
    this.emit('close');
  }
}

function setup(overrides: { confirm_window?: number; close_timeout_ms?: number } = {}) {
  const amqp = configSchema.parse({ transport: 'amqp', amqp: { exchange: 'statbus.unit', reconnect_initial_ms: 1, reconnect_max_ms: 1, ...overrides } }).amqp;
  const channels: FakeConfirmChannel[] = [];
  const model: ConfirmChannelSource = {
    createConfirmChannel: () => {
      const channel = new FakeConfirmChannel();
      channels.push(channel);
      return Promise.resolve(channel as unknown as ConfirmChannel);
    },
  };
  const session: { -readonly [K in keyof PublisherSession]: PublisherSession[K] } = {
    address: 'amqp://unit',
    model: undefined,
    signal: new AbortController().signal,
  };
  const statuses: TransportStatus[] = [];
  const counters = new TransportCounterSet();
  const publisher = new AmqpPublisher({ amqp, maxMessageBytes: 4096, session, counters, logger: silentLogger, report: (status) => statuses.push(status) });
  return { publisher, model, channels, counters, statuses };
}

/** Lets promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const tracked: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(
    () => void (tracked.state = 'resolved'),
    (error: unknown) => Object.assign(tracked, { state: 'rejected', error }),
  );
  return tracked;
}

describe(AmqpPublisher, () => {
  describe('.publish', () => {
    describe('when the broker acks', () => {
      it('should resolve only then, and count it', async () => {
        const { publisher, model, channels, counters } = setup();
        await publisher.setup(model);
        const result = track(publisher.publish(envelopes()()));
        await settle();
        expect(result.state).toBe('pending');
        channels[0]?.sent[0]?.confirm(null);
        await settle();
        expect(result.state).toBe('resolved');
        expect(counters.published).toBe(1);
      });
    });

    describe('when the broker nacks', () => {
      it('should reject with ERR_PUBLISH', async () => {
        const { publisher, model, channels } = setup();
        await publisher.setup(model);
        const result = track(publisher.publish(envelopes()()));
        channels[0]?.sent[0]?.confirm(new Error('message nacked'));
        await settle();
        expect(result.state).toBe('rejected');
        expect(result.error).toBeInstanceOf(TransportError);
        expect((result.error as TransportError).code).toBe('ERR_PUBLISH');
      });
    });

    describe('when the confirm window is full', () => {
      it('should send no more until a confirm frees a slot', async () => {
        const { publisher, model, channels } = setup({ confirm_window: 2 });
        await publisher.setup(model);
        const make = envelopes();
        const results = [1, 2, 3].map(() => track(publisher.publish(make())));
        const channel = channels[0] as FakeConfirmChannel;
        expect(channel.sent).toHaveLength(2);
        expect(publisher.pending).toBe(3);
        channel.sent[0]?.confirm(null);
        expect(channel.sent).toHaveLength(3);
        await settle();
        expect(results.map((result) => result.state)).toEqual(['resolved', 'pending', 'pending']);
      });
    });

    describe('when amqplib asks to wait for drain', () => {
      it('should pause sending until the channel drains', async () => {
        const { publisher, model, channels } = setup();
        await publisher.setup(model);
        const channel = channels[0] as FakeConfirmChannel;
        channel.flowing = false;
        const make = envelopes();
        const results = [1, 2, 3].map(() => track(publisher.publish(make())));
        expect(channel.sent).toHaveLength(1);
        channel.flowing = true;
        channel.emit('drain');
        expect(channel.sent).toHaveLength(3);
        channel.sent.forEach(({ confirm }) => confirm(null));
        await settle();
        expect(results.every((result) => result.state === 'resolved')).toBe(true);
      });
    });

    describe('when the channel is lost before the confirms', () => {
      it('should send the unconfirmed messages again, in order, and resolve on the new confirms', async () => {
        const { publisher, model, channels } = setup();
        await publisher.setup(model);
        const make = envelopes();
        const sent = [make(), make(), make()];
        const results = sent.map((envelope) => track(publisher.publish(envelope)));
        const first = channels[0] as FakeConfirmChannel;
        first.sent[0]?.confirm(null);
        first.die();
        await settle();
        expect(results.map((result) => result.state)).toEqual(['resolved', 'pending', 'pending']);
        const later = track(publisher.publish(make()));
        await publisher.attach(model);
        const second = channels[1] as FakeConfirmChannel;
        expect(second.sent.map(({ id }) => id)).toEqual([sent[1]?.id, sent[2]?.id, expect.any(String)]);
        second.sent.forEach(({ confirm }) => confirm(null));
        await settle();
        expect([...results, later].every((result) => result.state === 'resolved')).toBe(true);
      });
    });

    describe('when the envelope is over the size limit', () => {
      it('should reject with a CodecError, sending nothing', async () => {
        const { publisher, model, channels } = setup();
        await publisher.setup(model);
        const failure = await publisher.publish(envelopes()({ blob: 'x'.repeat(5000) })).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(CodecError);
        expect(channels[0]?.sent).toHaveLength(0);
      });
    });
  });

  describe('.close', () => {
    describe('when confirms are still missing at the timeout', () => {
      it('should reject them with ERR_CLOSED, and refuse new publishes', async () => {
        const { publisher, model } = setup({ close_timeout_ms: 10 });
        await publisher.setup(model);
        const result = track(publisher.publish(envelopes()()));
        await publisher.close(10);
        await settle();
        expect((result.error as TransportError).code).toBe('ERR_CLOSED');
        await expect(publisher.publish(envelopes()())).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      });
    });

    describe('when the confirms arrive in time', () => {
      it('should resolve once they are all in', async () => {
        const { publisher, model, channels } = setup();
        await publisher.setup(model);
        const result = track(publisher.publish(envelopes()()));
        const closing = publisher.close(60_000);
        channels[0]?.sent[0]?.confirm(null);
        await closing;
        expect(result.state).toBe('resolved');
      });
    });
  });
});
