import { describe, expect, it } from 'vitest';
import { AsyncQueue, StoreError, silentLogger, type ArchivedMessage, type BusEvent, type Delivery, type InsertResult, type MessageStore, type Subscription, type Transport } from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { Archiver } from './archiver.js';

function fakeTransport(): { transport: Transport; push(id: string, time: number): void } {
  const queue = new AsyncQueue<Delivery>();
  const subscription: Subscription = {
    patterns: ['#'],
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
    close: () => {
      queue.end();
      return Promise.resolve();
    },
    closed: Promise.resolve(),
  };
  return {
    transport: { subscribe: () => Promise.resolve(subscription) } as unknown as Transport,
    push: (id, time) =>
      queue.push({
        envelope: { id, topic: 'org.statbus.dev.koji.build.done', time, producer: { name: 'p', host: 'h', pid: 1, instance: 'i' }, seq: 1, headers: {}, body: {} },
        redelivered: false,
        deliveryCount: 1,
        ack: () => Promise.resolve(),
        nack: () => Promise.resolve(),
      }),
  };
}

/** Stores each id once; refuses for good any batch holding `bad`. */
function fakeStore(): MessageStore {
  const ids = new Set<string>();
  const insertMany = (messages: readonly ArchivedMessage[]): Promise<InsertResult> => {
    if (messages.some((m) => m.envelope.id === 'bad')) return Promise.reject(new StoreError('cannot store it', { retryable: false }));
    const inserted: string[] = [];
    const duplicates: string[] = [];
    for (const { envelope } of messages) {
      if (ids.has(envelope.id)) duplicates.push(envelope.id);
      else {
        ids.add(envelope.id);
        inserted.push(envelope.id);
      }
    }
    return Promise.resolve({ inserted, duplicates });
  };
  return { insertMany } as unknown as MessageStore;
}

describe(Archiver, () => {
  describe('when a bus-event recorder is bound', () => {
    it('should record one archive delay per message newly stored, and each dead letter', async () => {
      const recorded: BusEvent[] = [];
      const recorder = { recordEvents: (events: readonly BusEvent[]) => Promise.resolve(void recorded.push(...events)) };
      const { transport, push } = fakeTransport();
      const archiver = new Archiver(transport, fakeStore(), { topic_prefix: 'org.statbus' }, silentLogger, { batchSize: 4, maxWaitMs: 5 }, recorder);
      await archiver.start();
      try {
        const sent = Date.now() - 1000;
        // `a` twice in one batch (a redelivery), `b` once, then `a` again in a later batch: two messages stored.
        for (const id of ['a', 'b', 'a']) push(id, sent);
        await waitFor(() => archiver.counters().batches === 1 && recorded.length === 2);
        push('a', sent);
        push('bad', sent);
        await waitFor(() => archiver.counters().rejected === 1 && recorded.length === 3);
        expect(recorded.filter((event) => event.type === 'archived')).toHaveLength(2);
        for (const event of recorded) if (event.type === 'archived') expect(event).toMatchObject({ time: sent, delayMs: expect.any(Number) as number });
        expect(recorded.filter((event) => event.type === 'archived').every((event) => event.type === 'archived' && event.delayMs >= 1000)).toBe(true);
        expect(recorded.find((event) => event.type === 'dead-letter')).toMatchObject({ reason: 'unstorable' });
      } finally {
        await archiver.stop();
      }
    });
  });
});
