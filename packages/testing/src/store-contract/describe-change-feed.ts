import { describe, expect, it } from 'vitest';
import type { ArchivedMessage, InsertedChanges, MessageStore } from '@statbus/core';
import type { StoreFixture } from './store-fixture.js';

async function readAll(store: MessageStore, after: string | undefined, limit: number): Promise<{ ids: string[]; position: string | undefined }> {
  const ids: string[] = [];
  let position = after;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const batch = await store.changes(position, limit);
    ids.push(...batch.changes.map((change) => change.message.envelope.id));
    if (batch.changes.length === 0) return { ids, position };
    expect(batch.position).toBe(batch.changes[batch.changes.length - 1]?.position);
    position = batch.position;
  }
  throw new Error('change feed did not end');
}

/**
 * The change-feed part of the store contract ({@link MessageStore.changes}, `changesHead`, `onInserted`).
 * `withFreshStore` gives each test an initialised, empty store it closes afterwards.
 */
export function describeChangeFeed(
  fixture: StoreFixture,
  withFreshStore: (use: (fresh: MessageStore) => Promise<void>) => Promise<void>,
): void {
  const first = fixture.messages.slice(0, 120);
  const second = fixture.messages.slice(120, 150);
  const ids = (messages: readonly ArchivedMessage[]): string[] => messages.map((message) => message.envelope.id);

  describe('.changes', () => {
    describe('when messages were archived in batches', () => {
      it('should return each once, in archive order (not time order), page by page', async () => {
        await withFreshStore(async (fresh) => {
          expect(await fresh.changes(undefined, 10)).toEqual({ changes: [], position: await fresh.changesHead() });
          await fresh.insertMany(first);
          await fresh.insertMany([...second, ...first.slice(0, 5)]);
          const { ids: seen } = await readAll(fresh, undefined, 7);
          expect(seen).toEqual([...ids(first), ...ids(second)]);
          const whole = await fresh.changes(undefined, 1000);
          expect(whole.changes.map((change) => change.message)).toEqual([...first, ...second]);
        });
      });
    });
    describe('when read without content', () => {
      it('should return the same messages and positions with empty headers and body', async () => {
        await withFreshStore(async (fresh) => {
          await fresh.insertMany(first);
          const whole = await fresh.changes(undefined, 1000);
          const bare = await fresh.changes(undefined, 1000, { content: false });
          expect(bare.position).toBe(whole.position);
          expect(bare.changes.map((change) => change.position)).toEqual(whole.changes.map((change) => change.position));
          expect(bare.changes.map((change) => change.message)).toEqual(
            first.map((message) => ({ ...message, envelope: { ...message.envelope, headers: {}, body: {} } })),
          );
        });
      });
    });
    describe('when reading from the head taken before a write', () => {
      it('should return only what was archived after it', async () => {
        await withFreshStore(async (fresh) => {
          await fresh.insertMany(first);
          const head = await fresh.changesHead();
          expect((await fresh.changes(head, 100)).changes).toEqual([]);
          await fresh.insertMany(second);
          const { ids: seen, position } = await readAll(fresh, head, 100);
          expect(seen).toEqual(ids(second));
          expect(position).toBe(await fresh.changesHead());
        });
      });
    });
    describe('when the position or limit is bad', () => {
      it('should reject with a QueryError naming it', async () => {
        await withFreshStore(async (fresh) => {
          await expect(fresh.changes('not a position!', 10)).rejects.toMatchObject({ code: 'ERR_QUERY', field: 'after' });
          await expect(fresh.changes(undefined, 0)).rejects.toMatchObject({ code: 'ERR_QUERY', field: 'limit' });
          await expect(fresh.changes(undefined, 100_000)).rejects.toMatchObject({ code: 'ERR_QUERY', field: 'limit' });
        });
      });
    });
  });

  describe('.onInserted', () => {
    describe('when the store offers the hook', () => {
      it('should call listeners after a write that stored something, until removed', async () => {
        await withFreshStore(async (fresh) => {
          if (fresh.onInserted === undefined) return;
          let calls = 0;
          const off = fresh.onInserted(() => {
            calls += 1;
          });
          await fresh.insertMany(first.slice(0, 3));
          expect(calls).toBe(1);
          await fresh.insertMany(first.slice(0, 3));
          expect(calls).toBe(1);
          off();
          await fresh.insertMany(second.slice(0, 1));
          expect(calls).toBe(1);
        });
      });
    });
    describe('when the store hands over what it stored', () => {
      it('should give exactly what the feed shows after the position it names, nothing already stored', async () => {
        await withFreshStore(async (fresh) => {
          if (fresh.onInserted === undefined) return;
          await fresh.insertMany(first);
          const handed: InsertedChanges[] = [];
          const off = fresh.onInserted((inserted) => {
            if (inserted !== undefined) handed.push(inserted);
          });
          await fresh.insertMany([...second, ...first.slice(0, 5)]);
          off();
          expect(handed.length).toBeLessThanOrEqual(1);
          // A store may say nothing (listeners are then only woken); one that speaks must be exact.
          for (const inserted of handed) {
            expect(inserted.changes.map((change) => change.message)).toEqual(second);
            const feed = await fresh.changes(inserted.after, 1000);
            expect(feed.changes).toEqual(inserted.changes);
          }
        });
      });
    });
  });
}
