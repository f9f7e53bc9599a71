import { describe, expect, it } from 'vitest';
import {
  AsyncQueue,
  StoreError,
  silentLogger,
  type ArchivedMessage,
  type Delivery,
  type Envelope,
  type InsertResult,
  type MessageStore,
  type Subscription,
  type Transport,
} from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { Archiver } from './archiver.js';

/** A transport whose one subscription hands out the deliveries the test pushes, recording how each was settled. */
function fakeTransport(events: string[]): { transport: Transport; push(id: string): void } {
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
  const transport = { subscribe: () => Promise.resolve(subscription) } as unknown as Transport;
  const push = (id: string): void => {
    const envelope = {
      id,
      topic: 'org.statbus.dev.koji.build.done',
      time: 1,
      producer: { name: 'p', host: 'h', pid: 1, instance: 'i' },
      seq: 1,
      headers: {},
      body: {},
    } satisfies Envelope;
    queue.push({
      envelope,
      redelivered: false,
      deliveryCount: 1,
      ack: () => Promise.resolve(void events.push(`ack ${id}`)),
      nack: (options) => Promise.resolve(void events.push(`nack ${id} requeue=${String(options?.requeue ?? true)}`)),
    });
  };
  return { transport, push };
}

/** An in-memory store that fails its first `failures` writes and records each committed write. */
function fakeStore(events: string[], failures: number): MessageStore {
  const ids = new Set<string>();
  let left = failures;
  const insertMany = (messages: readonly ArchivedMessage[]): Promise<InsertResult> => {
    if (left > 0) {
      left -= 1;
      events.push('write failed');
      return Promise.reject(new StoreError('locked', { retryable: true }));
    }
    const inserted = messages.map((m) => m.envelope.id).filter((id) => !ids.has(id));
    for (const id of inserted) ids.add(id);
    events.push(`committed ${messages.map((m) => m.envelope.id).join(',')}`);
    return Promise.resolve({ inserted, duplicates: messages.map((m) => m.envelope.id).filter((id) => !inserted.includes(id)) });
  };
  return { insertMany } as unknown as MessageStore;
}

describe(Archiver, () => {
  describe('.start', () => {
    describe('when a batch fills', () => {
      it('should ack each delivery only after the write holding it committed', async () => {
        const events: string[] = [];
        const { transport, push } = fakeTransport(events);
        const archiver = new Archiver(transport, fakeStore(events, 2), { topic_prefix: 'org.statbus' }, silentLogger, {
          batchSize: 3,
          maxWaitMs: 60_000,
          retryInitialMs: 1,
        });
        await archiver.start();
        try {
          for (const id of ['a', 'b', 'c']) push(id);
          await waitFor(() => events.filter((event) => event.startsWith('ack')).length === 3);
          expect(events).toEqual(['write failed', 'write failed', 'committed a,b,c', 'ack a', 'ack b', 'ack c']);
        } finally {
          await archiver.stop();
        }
      });
    });
    describe('when fewer messages than a batch arrive', () => {
      it('should write them after maxWaitMs', async () => {
        const events: string[] = [];
        const { transport, push } = fakeTransport(events);
        const archiver = new Archiver(transport, fakeStore(events, 0), { topic_prefix: 'org.statbus' }, silentLogger, { batchSize: 100, maxWaitMs: 5 });
        await archiver.start();
        try {
          push('x');
          await waitFor(() => events.includes('ack x'));
          expect(events).toEqual(['committed x', 'ack x']);
        } finally {
          await archiver.stop();
        }
      });
    });
    describe('when a message is redelivered after it was stored', () => {
      it('should ack it as a duplicate without writing it twice', async () => {
        const events: string[] = [];
        const { transport, push } = fakeTransport(events);
        const archiver = new Archiver(transport, fakeStore(events, 0), { topic_prefix: 'org.statbus' }, silentLogger, { batchSize: 1 });
        await archiver.start();
        try {
          push('x');
          push('x');
          await waitFor(() => archiver.counters().duplicates === 1);
          expect(archiver.counters()).toMatchObject({ archived: 1, duplicates: 1 });
        } finally {
          await archiver.stop();
        }
      });
    });
  });
});
