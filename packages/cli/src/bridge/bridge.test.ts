import { Broadcaster, TransportError, createEnvelope, silentLogger, type LogFn, type Logger, type TransportStatus } from '@statbus/core';
import { MemoryBus, MemoryTransport, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BRIDGED_HEADER, Bridge } from './bridge.js';

const TOPIC = 'org.statbus.dev.bridge.unit.done';

/** A broker that refuses the first `failures` connections. */
class FlakyBroker extends MemoryTransport {
  failures: number;

  constructor(bus: MemoryBus, failures: number) {
    super(bus);
    this.failures = failures;
  }

  override async connect(): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new TransportError('ERR_CONNECTION', 'Cannot connect to amqp://broker: ECONNREFUSED', { address: 'amqp://broker' });
    }
    return super.connect();
  }
}

/** A ZeroMQ side whose status events the test writes. */
class ScriptedStatus extends MemoryTransport {
  readonly events = new Broadcaster<TransportStatus>();

  override status(): AsyncIterable<TransportStatus> {
    return this.events.subscribe();
  }
}

function recordingLogger(warnings: string[]): Logger {
  const warn: LogFn = (fields: object | string, message?: string) => {
    warnings.push(typeof fields === 'string' ? fields : (message ?? ''));
  };
  const logger: Logger = { ...silentLogger, warn, child: () => logger };
  return logger;
}

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe(Bridge, () => {
  describe('when the AMQP side is down at first', () => {
    it('should say so, keep what comes from ZeroMQ in its buffer, try again and deliver it once the side is up', async () => {
      const zeromqBus = new MemoryBus();
      const amqpBus = new MemoryBus();
      const zeromq = new ScriptedStatus(zeromqBus);
      const amqp = new FlakyBroker(amqpBus, 3);
      const warnings: string[] = [];
      const bridge = new Bridge(zeromq, amqp, recordingLogger(warnings), { retryInitialMs: 1, retryMaxMs: 5 });
      const consumer = new MemoryTransport(amqpBus);
      await consumer.connect();
      const received: string[] = [];
      await consumer.subscribe(['#'], { handler: (delivery) => void received.push(delivery.envelope.headers[BRIDGED_HEADER] ?? '') });
      const producer = new MemoryTransport(zeromqBus);
      await producer.connect();
      bridge.start();
      cleanups.push(() => bridge.stop());
      await waitFor(() => bridge.state().zeromq === 'up', { message: 'zeromq side up' });
      const origin = { name: 'unit', host: 'h', pid: 1, instance: 'i' };
      for (let seq = 1; seq <= 3; seq += 1) await producer.publish(createEnvelope({ topic: TOPIC, seq, producer: origin, body: { seq } }));

      await waitFor(() => received.length === 3, { message: 'three messages carried once the broker answered' });
      expect(received).toEqual(['zeromq', 'zeromq', 'zeromq']);
      expect(bridge.state().amqp).toBe('up');
      expect(warnings.filter((line) => line.startsWith('bridge: the amqp side is down (ERR_CONNECTION'))).toHaveLength(3);
      expect(bridge.counters()).toMatchObject({ toAmqp: 3, lost: 0 });
    });
  });

  describe('when ZeroMQ reports a gap', () => {
    it('should count it and log the producer and the seq range', async () => {
      const zeromq = new ScriptedStatus(new MemoryBus());
      const warnings: string[] = [];
      const bridge = new Bridge(zeromq, new MemoryTransport(new MemoryBus()), recordingLogger(warnings));
      bridge.start();
      cleanups.push(() => bridge.stop());
      await waitFor(() => bridge.state().zeromq === 'up' && bridge.state().amqp === 'up', { message: 'both sides up' });
      zeromq.events.publish({ type: 'gap', producer: 'koji', instance: 'k-1', from: 4, to: 9, missed: 6 });
      await waitFor(() => bridge.counters().gaps === 1, { message: 'gap counted' });
      expect(bridge.counters().missed).toBe(6);
      expect(warnings).toContain('bridge: 6 message(s) of koji lost on ZeroMQ before the bridge (seq 4..9)');
    });
  });

  describe('when it carries one way only', () => {
    it('should carry from ZeroMQ to AMQP and nothing back', async () => {
      const zeromqBus = new MemoryBus();
      const amqpBus = new MemoryBus();
      const bridge = new Bridge(new MemoryTransport(zeromqBus), new MemoryTransport(amqpBus), silentLogger, { direction: 'zeromq-to-amqp' });
      bridge.start();
      cleanups.push(() => bridge.stop());
      await waitFor(() => bridge.state().zeromq === 'up' && bridge.state().amqp === 'up', { message: 'both sides up' });
      const onZeromq: string[] = [];
      const onAmqp: string[] = [];
      const zeromqSide = new MemoryTransport(zeromqBus);
      const amqpSide = new MemoryTransport(amqpBus);
      await Promise.all([zeromqSide.connect(), amqpSide.connect()]);
      await zeromqSide.subscribe(['#'], { handler: (delivery) => void onZeromq.push(delivery.envelope.body['from'] as string) });
      await amqpSide.subscribe(['#'], { handler: (delivery) => void onAmqp.push(delivery.envelope.body['from'] as string) });
      const origin = { name: 'unit', host: 'h', pid: 1, instance: 'i' };
      await zeromqSide.publish(createEnvelope({ topic: TOPIC, seq: 1, producer: origin, body: { from: 'zeromq' } }));
      await amqpSide.publish(createEnvelope({ topic: TOPIC, seq: 2, producer: origin, body: { from: 'amqp' } }));
      await waitFor(() => bridge.counters().toAmqp === 1 && onAmqp.length === 2, { message: 'the ZeroMQ message carried' });
      expect(onAmqp.sort()).toEqual(['amqp', 'zeromq']);
      expect(onZeromq).toEqual(['zeromq']);
      expect(bridge.counters().toZeromq).toBe(0);
    });
  });
});
