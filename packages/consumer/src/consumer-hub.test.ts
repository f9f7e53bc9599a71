import { configSchema, silentLogger, StatbusError, TopicError, type Envelope, type StatbusConfigInput } from '@statbus/core';
import { CONTRACT_PREFIX, MemoryBus, MemoryTransport, collect, envelopeFactory, received, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerContext } from './consumer-handler.js';
import { ConsumerHub } from './consumer-hub.js';
import { Drop } from './drop.js';
import { HaltConsumer } from './halt-consumer.js';
import { Nack } from './nack.js';

const TOPIC = `${CONTRACT_PREFIX}.bodhi.update.comment`;

let bus: MemoryBus;
let transport: MemoryTransport;
let publisher: MemoryTransport;
let make: ReturnType<typeof envelopeFactory>;

function hubWith(consumer: StatbusConfigInput['consumer'] = {}): ConsumerHub {
  return new ConsumerHub(transport, configSchema.parse({ consumer: { group: 'test', ...consumer } }), silentLogger);
}

async function publish(count: number, topic = TOPIC): Promise<Envelope[]> {
  const sent: Envelope[] = [];
  for (let index = 0; index < count; index += 1) {
    const envelope = make(topic, { index });
    await publisher.publish(envelope);
    sent.push(envelope);
  }
  return sent;
}

/** Handler gates: each call waits until the test releases it. */
function gates(): { waiting: (() => void)[]; wait: () => Promise<void>; releaseAll: () => void } {
  const waiting: (() => void)[] = [];
  return {
    waiting,
    wait: () => new Promise<void>((resolve) => waiting.push(resolve)),
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
  };
}

beforeEach(async () => {
  bus = new MemoryBus();
  transport = new MemoryTransport(bus);
  publisher = new MemoryTransport(bus);
  await publisher.connect();
  make = envelopeFactory('bodhi');
});

afterEach(async () => {
  await transport.close();
  await publisher.close();
});

describe(ConsumerHub, () => {
  describe('.register', () => {
    it('should refuse malformed patterns, no pattern, a taken name and a call after start', async () => {
      const hub = hubWith();
      expect(() => hub.register(['a.b*'], () => undefined)).toThrow(TopicError);
      expect(() => hub.register([], () => undefined)).toThrow(StatbusError);
      hub.register([TOPIC], () => undefined, { name: 'one' });
      expect(() => hub.register([TOPIC], () => undefined, { name: 'one' })).toThrow(/already taken/u);
      await hub.start();
      expect(() => hub.register([TOPIC], () => undefined)).toThrow(/before start/u);
      await hub.stop();
    });

    it('should accept class instances, named after their class, with `this` bound', async () => {
      class CommentCounter {
        readonly patterns = [`${CONTRACT_PREFIX}.bodhi.#`];
        seen = 0;
        handle(): void {
          this.seen += 1;
        }
      }
      const counter = new CommentCounter();
      const hub = hubWith().register(counter).register(counter);
      await hub.start();
      await publish(2);
      await waitFor(() => hub.counters().processed === 2);
      expect(counter.seen).toBe(4);
      expect(Object.keys(hub.counters().handlers)).toEqual(['CommentCounter', 'CommentCounter#2']);
      await hub.stop();
    });
  });

  describe('.start', () => {
    it('should refuse to start without a handler', async () => {
      await expect(hubWith().start()).rejects.toThrow(/at least one handler/u);
    });

    describe('when the transport cannot subscribe', () => {
      it('should reject, stop, and finish with exit code 1', async () => {
        await transport.close();
        const hub = hubWith().register([TOPIC], () => undefined);
        await expect(hub.start()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
        await expect(hub.finished).resolves.toMatchObject({ exitCode: 1 });
        expect(hub.state).toBe('stopped');
      });
    });
  });

  describe('when a handler resolves', () => {
    it('should hand it the envelope and context, then ack', async () => {
      const seen: [Envelope, ConsumerContext][] = [];
      const hub = hubWith().register([`${CONTRACT_PREFIX}.bodhi.#`], (envelope, context) => void seen.push([envelope, context]), { name: 'h' });
      await hub.start();
      const [sent] = await publish(1);
      await waitFor(() => hub.counters().processed === 1);
      expect(seen[0]?.[0]).toEqual(sent);
      expect(seen[0]?.[1]).toMatchObject({ handler: 'h', group: 'test', attempt: 1 });
      expect(hub.counters()).toMatchObject({ received: 1, processed: 1, handlers: { h: { processed: 1 } } });
      await hub.stop();
      const rest = collect(await publisher.subscribe(['#'], { queue: 'test' }));
      await publish(1, `${CONTRACT_PREFIX}.bodhi.update.request`);
      await received(rest, 1);
      expect(rest.envelopes.map((envelope) => envelope.topic)).toEqual([`${CONTRACT_PREFIX}.bodhi.update.request`]);
    });

    it('should only call handlers whose patterns match', async () => {
      const calls: string[] = [];
      const hub = hubWith()
        .register([`${CONTRACT_PREFIX}.bodhi.#`], () => void calls.push('bodhi'), { name: 'bodhi' })
        .register([`${CONTRACT_PREFIX}.koji.#`], () => void calls.push('koji'), { name: 'koji' });
      await hub.start();
      await publish(1, `${CONTRACT_PREFIX}.koji.build.complete`);
      await waitFor(() => hub.counters().processed === 1);
      expect(calls).toEqual(['koji']);
      await hub.stop();
    });
  });

  describe('when a handler throws Nack', () => {
    it('should requeue the message and succeed on a later delivery', async () => {
      const attempts: number[] = [];
      const hub = hubWith({ max_retries: 3 }).register([TOPIC], (_envelope, context) => {
        attempts.push(context.attempt);
        if (context.attempt < 3) throw new Nack('not yet');
      });
      await hub.start();
      await publish(1);
      await waitFor(() => hub.counters().processed === 1);
      expect(attempts).toEqual([1, 2, 3]);
      expect(hub.counters()).toMatchObject({ received: 3, retried: 2, processed: 1, failed: 0 });
      expect(bus.deadLetters).toHaveLength(0);
      await hub.stop();
    });
  });

  describe('when a handler keeps failing', () => {
    it.each([
      ['throws Nack', new Nack()],
      ['throws an error', new Error('boom')],
      ['rejects with a non-error', 'boom'],
    ])('should retry max_retries times, then dead-letter it (%s)', async (_what, thrown) => {
      let calls = 0;
      const hub = hubWith({ max_retries: 2 }).register(
        [TOPIC],
        () => {
          calls += 1;
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- handlers may throw anything; that is the case tested
          throw thrown;
        },
        { name: 'h' },
      );
      await hub.start();
      const [sent] = await publish(1);
      await waitFor(() => hub.counters().failed === 1);
      expect(calls).toBe(3);
      expect(hub.counters()).toMatchObject({ received: 3, retried: 2, failed: 1, processed: 0, handlers: { h: { retried: 2, failed: 1 } } });
      expect(bus.deadLetters).toHaveLength(1);
      expect(bus.deadLetters[0]?.topic).toBe(sent?.topic);
      await hub.stop();
    });
  });

  describe('when a handler throws Drop', () => {
    it('should ack without retrying and count it as dropped', async () => {
      let calls = 0;
      const hub = hubWith().register(
        [TOPIC],
        () => {
          calls += 1;
          throw new Drop('not interesting');
        },
        { name: 'h' },
      );
      await hub.start();
      await publish(2);
      await waitFor(() => hub.counters().dropped === 2);
      expect(calls).toBe(2);
      expect(hub.counters()).toMatchObject({ processed: 0, retried: 0, handlers: { h: { dropped: 2 } } });
      expect(bus.deadLetters).toHaveLength(0);
      await hub.stop();
    });
  });

  describe('when a handler throws HaltConsumer', () => {
    it('should stop the hub with its reason and exit code, acking the message', async () => {
      const hub = hubWith().register([TOPIC], () => {
        throw new HaltConsumer({ reason: 'maintenance', exitCode: 3 });
      });
      await hub.start();
      await publish(1);
      const result = await hub.finished;
      expect(result.exitCode).toBe(3);
      expect(result.reason).toContain('maintenance');
      expect(hub.state).toBe('stopped');
      expect(hub.health().live).toBe(false);
      expect(hub.counters()).toMatchObject({ processed: 1 });
      await expect(hub.stop()).resolves.toEqual(result);
    });

    it('should put the message back when asked to requeue it', async () => {
      const hub = hubWith().register([TOPIC], () => {
        throw new HaltConsumer({ reason: 'later', requeue: true });
      });
      await hub.start();
      const [sent] = await publish(1);
      await hub.finished;
      const next = collect(await publisher.subscribe([TOPIC], { queue: 'test' }));
      await received(next, 1);
      expect(next.envelopes[0]?.id).toBe(sent?.id);
      expect(hub.counters().requeued).toBe(1);
    });
  });

  describe('when many messages arrive', () => {
    it('should never run more than `concurrency` handlers of a group at once', async () => {
      const gate = gates();
      let active = 0;
      let most = 0;
      const hub = hubWith({ concurrency: 3, prefetch: 8 }).register([TOPIC], async () => {
        active += 1;
        most = Math.max(most, active);
        await gate.wait();
        active -= 1;
      });
      await hub.start();
      await publish(20);
      await waitFor(() => gate.waiting.length === 3);
      expect(hub.health().groups[0]?.inFlight).toBe(3);
      await waitFor(() => {
        gate.releaseAll();
        return hub.counters().processed === 20;
      });
      expect(most).toBe(3);
      await hub.stop();
    });
  });

  describe('.stop', () => {
    it('should let in-flight handlers finish, ack only what was processed, and give the rest back', async () => {
      const gate = gates();
      const handled: number[] = [];
      const hub = hubWith({ concurrency: 2, prefetch: 6 }).register([TOPIC], async (envelope) => {
        await gate.wait();
        handled.push(envelope.seq);
      });
      await hub.start();
      await publish(10);
      await waitFor(() => gate.waiting.length === 2);
      let stopped = false;
      const stopping = hub.stop({ reason: 'test' }).then((result) => {
        stopped = true;
        return result;
      });
      await waitFor(() => hub.state === 'stopping');
      expect(stopped).toBe(false);
      gate.releaseAll();
      await expect(stopping).resolves.toEqual({ reason: 'test', exitCode: 0 });
      expect(handled).toEqual([1, 2]);
      expect(hub.counters()).toMatchObject({ processed: 2, requeued: 4, failed: 0 });
      const rest = collect(await publisher.subscribe([TOPIC], { queue: 'test' }));
      await received(rest, 8);
      expect(rest.envelopes.map((envelope) => envelope.seq).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
      expect(bus.deadLetters).toHaveLength(0);
    });

    it('should be idempotent and work before start', async () => {
      const hub = hubWith();
      const first = hub.stop({ reason: 'one' });
      expect(hub.stop({ reason: 'two' })).toBe(first);
      await expect(first).resolves.toEqual({ reason: 'one', exitCode: 0 });
      await expect(hub.start()).rejects.toThrow(StatbusError);
    });
  });

  describe('when the transport closes under it', () => {
    it('should stop with exit code 1', async () => {
      const hub = hubWith().register([TOPIC], () => undefined);
      await hub.start();
      await transport.close();
      await expect(hub.finished).resolves.toMatchObject({ exitCode: 1 });
      expect(hub.health().connected).toBe(false);
    });
  });
});
