import { configSchema, silentLogger, type Envelope } from '@statbus/core';
import { Producer } from '@statbus/producer';
import { MemoryTransport } from '@statbus/testing';
import { describe, expect, it } from 'vitest';
import { DEMO_EVENTS } from './demo-catalogue.js';
import { DemoTraffic } from './demo-traffic.js';

const pick = { user: () => 'alice', pkg: () => 'kernel', int: () => 1, one: <T>(items: readonly T[]): T => items[0] as T };

describe('DEMO_EVENTS', () => {
  it.each(DEMO_EVENTS.map((event) => [event.suffix, event] as const))('should publish %s through a real producer without refusal', async (_suffix, event) => {
    const transport = new MemoryTransport();
    await transport.connect();
    try {
      const producer = new Producer(transport, configSchema.parse({ topic_prefix: 'org.fedoraproject', environment: 'prod' }), silentLogger);
      const made = event.body(pick);
      const envelope = await producer.publish(event.suffix, made.body, { usernames: made.users, packages: made.packages, agent: made.agent });
      expect(envelope.topic).toBe(`org.fedoraproject.prod.${event.suffix}`);
    } finally {
      await transport.close();
    }
  });
});

describe(DemoTraffic, () => {
  it('should publish a run of the whole catalogue with zero refusals', async () => {
    const transport = new MemoryTransport();
    await transport.connect();
    try {
      const producer = new Producer(transport, configSchema.parse({}), silentLogger);
      const seen: Envelope[] = [];
      const demo = new DemoTraffic(producer, { rate: 100_000, dayMs: 1_000, limit: 400 }, silentLogger, (envelope) => seen.push(envelope));
      demo.start();
      await demo.finished;
      await demo.stop();
      expect({ published: demo.published, refused: demo.refused, failed: demo.failed }).toEqual({ published: 400, refused: 0, failed: 0 });
      expect(new Set(seen.map((envelope) => envelope.topic.split('.').slice(3).join('.'))).size).toBeGreaterThan(DEMO_EVENTS.length / 2);
    } finally {
      await transport.close();
    }
  });

  it("should count a refusal by its own producer as its own, not the bus's", async () => {
    const transport = new MemoryTransport();
    await transport.connect();
    try {
      const producer = new Producer(transport, configSchema.parse({}), silentLogger);
      producer.registerSchema('org.statbus.dev.#', { type: 'object', required: ['never-there'] }, { name: 'demo.test.v1' });
      const demo = new DemoTraffic(producer, { rate: 100_000, dayMs: 1_000, limit: 20 }, silentLogger);
      demo.start();
      await demo.finished;
      await demo.stop();
      expect({ published: demo.published, refused: demo.refused, failed: demo.failed }).toEqual({ published: 0, refused: 20, failed: 0 });
      expect([...demo.reasons.keys()]).toEqual([expect.stringMatching(/^refused /u)]);
    } finally {
      await transport.close();
    }
  });
});
