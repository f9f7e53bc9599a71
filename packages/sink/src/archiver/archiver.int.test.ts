import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StoreError,
  createEnvelope,
  silentLogger,
  type ArchivedMessage,
  type Envelope,
  type InsertResult,
  type MessageStore,
} from '@statbus/core';
import { MemoryBus, MemoryTransport, waitFor } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { Archiver } from './archiver.js';

const config = { topic_prefix: 'org.statbus' };
const fast = { batchSize: 50, maxWaitMs: 5, retryInitialMs: 1, retryMaxMs: 4 };
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteStore(): Promise<SqliteMessageStore> {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-archiver-'));
  const store = new SqliteMessageStore(join(dir, 'archive.db'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

async function memoryTransport(bus: MemoryBus): Promise<MemoryTransport> {
  const transport = new MemoryTransport(bus, { prefetch: 1000 });
  await transport.connect();
  cleanups.push(() => transport.close());
  return transport;
}

function envelopes(count: number, body: (index: number) => Envelope['body'] = (index) => ({ index })): Envelope[] {
  return Array.from({ length: count }, (_, index) =>
    createEnvelope({
      topic: `org.statbus.dev.${['bodhi', 'koji', 'copr'][index % 3] ?? 'x'}.build.done`,
      producer: { name: 'test', host: 'localhost', pid: 1, instance: 'i1' },
      seq: index + 1,
      headers: { usernames: `user${index % 7}`, agent: `user${index % 7}` },
      body: body(index),
    }),
  );
}

/** Wraps a store: fails the first `failures` writes with a retryable error, refuses bodies with `poison`, records every write. */
class FlakyStore {
  readonly writes: { ids: string[]; result?: InsertResult; failed?: boolean }[] = [];
  constructor(
    readonly inner: MessageStore,
    private failures: number,
  ) {}
  async insertMany(messages: readonly ArchivedMessage[]): Promise<InsertResult> {
    const ids = messages.map((message) => message.envelope.id);
    if (this.failures > 0) {
      this.failures -= 1;
      this.writes.push({ ids, failed: true });
      throw new StoreError('disk unplugged', { retryable: true });
    }
    if (messages.some((message) => message.envelope.body['poison'] === true)) {
      this.writes.push({ ids, failed: true });
      throw new StoreError('document too large', { retryable: false });
    }
    const result = await this.inner.insertMany(messages);
    this.writes.push({ ids, result });
    return result;
  }
  asStore(): MessageStore {
    return new Proxy(this.inner, { get: (target, key) => (key === 'insertMany' ? this.insertMany.bind(this) : Reflect.get(target, key) as unknown) });
  }
}

async function publishAll(transport: MemoryTransport, list: readonly Envelope[]): Promise<void> {
  for (const envelope of list) await transport.publish(envelope);
}

describe(Archiver, () => {
  describe('.start', () => {
    describe('when messages are published', () => {
      it('should store each one once, with users, agent and category, in batches', async () => {
        const bus = new MemoryBus();
        const store = await sqliteStore();
        const transport = await memoryTransport(bus);
        const archiver = new Archiver(transport, store, config, silentLogger, fast);
        await archiver.start();
        cleanups.push(() => archiver.stop());
        const sent = envelopes(1234);
        await publishAll(transport, sent);
        await waitFor(async () => (await store.count({})).count === sent.length, { message: 'every message archived' });
        expect(archiver.counters()).toMatchObject({ archived: 1234, duplicates: 0, rejected: 0, retries: 0 });
        const stored = await store.get(sent[8]?.id ?? '');
        expect(stored).toMatchObject({ category: 'copr', users: ['user1'], agent: 'user1', envelope: sent[8] });
        expect(archiver.counters().batches).toBeLessThan(1234);
      });
    });

    describe('when a header lacks users and an extractor knows the topic', () => {
      it('should index the users and packages the extractor finds', async () => {
        const bus = new MemoryBus();
        const store = await sqliteStore();
        const transport = await memoryTransport(bus);
        const extractors = [{ patterns: ['org.statbus.dev.koji.#'], users: () => ['builder'], packages: (e: Envelope) => (typeof e.body['pkg'] === 'string' ? [e.body['pkg']] : []) }];
        const archiver = new Archiver(transport, store, config, silentLogger, { ...fast, extractors });
        await archiver.start();
        cleanups.push(() => archiver.stop());
        const [, koji] = envelopes(2);
        await transport.publish({ ...(koji as Envelope), headers: {}, body: { pkg: 'kernel' } });
        await waitFor(async () => (await store.count({ users: ['builder'], packages: ['kernel'] })).count === 1);
      });
    });

    describe('when real Fedora messages carry no users or packages and no extractor is configured', () => {
      it("should derive them with the default extractors (Fedora's topic families)", async () => {
        const bus = new MemoryBus();
        const store = await sqliteStore();
        const transport = await memoryTransport(bus);
        const archiver = new Archiver(transport, store, { topic_prefix: 'org.fedoraproject' }, silentLogger, fast);
        await archiver.start();
        cleanups.push(() => archiver.stop());
        const producer = { name: 'fedmsg', host: 'localhost', pid: 1, instance: 'i1' };
        const push = createEnvelope({
          topic: 'org.fedoraproject.prod.git.receive',
          producer,
          seq: 1,
          body: { commit: { repo: 'valgrind', username: 'mjw', branch: 'master', rev: '7a98f80d' } },
        });
        const given = createEnvelope({ topic: 'org.fedoraproject.prod.git.receive', producer, seq: 2, headers: { usernames: 'someone' }, body: push.body });
        await publishAll(transport, [push, given]);
        await waitFor(async () => (await store.count({})).count === 2);
        expect(await store.get(push.id)).toMatchObject({ category: 'git', users: ['mjw'], packages: ['valgrind'] });
        expect(await store.get(given.id)).toMatchObject({ users: ['someone'], packages: ['valgrind'] });
      });
    });

    describe('when the store fails for a while', () => {
      it('should not ack, retry with backoff, and lose and duplicate nothing', async () => {
        const bus = new MemoryBus();
        const flaky = new FlakyStore(await sqliteStore(), 5);
        const transport = await memoryTransport(bus);
        const archiver = new Archiver(transport, flaky.asStore(), config, silentLogger, fast);
        await archiver.start();
        cleanups.push(() => archiver.stop());
        const sent = envelopes(500);
        await publishAll(transport, sent);
        await waitFor(async () => (await flaky.inner.count({})).count === sent.length, { message: 'archived after the outage' });
        expect(flaky.writes.filter((write) => write.failed)).toHaveLength(5);
        const inserted = flaky.writes.flatMap((write) => write.result?.inserted ?? []);
        expect(inserted).toHaveLength(sent.length);
        expect(new Set(inserted).size).toBe(sent.length);
        expect(archiver.counters()).toMatchObject({ archived: 500, retries: 5, rejected: 0 });
        expect(bus.deadLetters).toHaveLength(0);
      });
    });

    describe('when a message cannot be stored', () => {
      it('should dead-letter that one, count it, and store the rest of its batch', async () => {
        const bus = new MemoryBus();
        const flaky = new FlakyStore(await sqliteStore(), 0);
        const transport = await memoryTransport(bus);
        const archiver = new Archiver(transport, flaky.asStore(), config, silentLogger, fast);
        await archiver.start();
        cleanups.push(() => archiver.stop());
        const sent = envelopes(120, (index): Envelope['body'] => (index === 33 ? { poison: true } : { index }));
        await publishAll(transport, sent);
        await waitFor(() => archiver.counters().archived === 119, { message: 'the healthy messages archived' });
        await waitFor(() => bus.deadLetters.length === 1, { message: 'the poison message dead-lettered' });
        expect(archiver.counters().rejected).toBe(1);
        expect(await flaky.inner.get(sent[33]?.id ?? '')).toBeUndefined();
        expect((await flaky.inner.count({})).count).toBe(119);
      });
    });
  });

  describe('.stop', () => {
    describe('when the store is down', () => {
      it('should requeue what it holds, so the next archiver stores it all', async () => {
        const bus = new MemoryBus();
        const store = await sqliteStore();
        const down = new FlakyStore(store, Number.POSITIVE_INFINITY);
        const transport = await memoryTransport(bus);
        const first = new Archiver(transport, down.asStore(), config, silentLogger, fast);
        await first.start();
        const sent = envelopes(300);
        await publishAll(transport, sent);
        await waitFor(() => first.counters().retries >= 3, { message: 'the first archiver retrying' });
        await first.stop();
        expect((await store.count({})).count).toBe(0);
        const second = new Archiver(transport, store, config, silentLogger, fast);
        await second.start();
        cleanups.push(() => second.stop());
        await waitFor(async () => (await store.count({})).count === sent.length, { message: 'archived by the second archiver' });
        expect(second.counters()).toMatchObject({ archived: 300, duplicates: 0 });
        expect(bus.deadLetters).toHaveLength(0);
      });
    });
  });
});
