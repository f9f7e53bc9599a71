import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchivedMessage, MessageQuery } from '@statbus/core';
import { makeStoreFixture, referenceFind, storeQueryCases, type StoreFixture } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-totals-'));
let files = 0;
const newPath = (): string => join(dir, `archive-${(files += 1)}.db`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Pages of five rows in an order that uses the totals and page anchors kept by earlier pages (forward, back,
 * skipping ahead, the same again), their totals and the count of every contract query, against the reference.
 */
async function expectEveryQueryExact(store: SqliteMessageStore, fixture: StoreFixture, stored: readonly ArchivedMessage[], stage: string): Promise<void> {
  const now = Date.now();
  for (const { name, query } of storeQueryCases(fixture)) {
    const expected = referenceFind(stored, query, now).map((message) => message.envelope.id);
    for (const page of [1, 2, 4, 3, 3, 1, 7]) {
      const asked: MessageQuery = { ...query, cursor: undefined, rowsPerPage: 5, page };
      const found = await store.find(asked);
      expect(found.messages.map((message) => message.envelope.id), `${name}, page ${page}, ${stage}`).toEqual(expected.slice((page - 1) * 5, page * 5));
      expect(found.total, `${name}, page ${page}, ${stage}`).toBe(expected.length);
    }
    expect((await store.count(query)).count, `${name} count, ${stage}`).toBe(expected.length);
  }
}

/** Half the fixture written by `writer`, every query checked on `reader`, then the rest, every query again. */
async function expectExactInTwoHalves(reader: SqliteMessageStore, writer: SqliteMessageStore, fixture: StoreFixture): Promise<void> {
  const half = Math.floor(fixture.messages.length / 2);
  await writer.insertMany(fixture.messages.slice(0, half));
  await expectEveryQueryExact(reader, fixture, fixture.messages.slice(0, half), 'half written');
  await writer.insertMany(fixture.messages.slice(half));
  await expectEveryQueryExact(reader, fixture, fixture.messages, 'all written');
}

describe('SqliteMessageStore totals and page anchors', () => {
  describe('when messages keep arriving after the totals of the contract queries were counted', () => {
    it('should answer every page and total exactly after each batch, deferred indexes behind or not', async () => {
      const fixture = makeStoreFixture({ count: 900 });
      const store = new SqliteMessageStore(newPath(), { indexInBackground: false, containsScanRows: 0 });
      try {
        await store.init();
        const stored: ArchivedMessage[] = [];
        for (const [from, to] of [[0, 300], [300, 320], [320, 600], [600, 900]] as const) {
          const batch = fixture.messages.slice(from, to);
          await store.insertMany(batch);
          stored.push(...batch);
          await expectEveryQueryExact(store, fixture, stored, `${stored.length} stored, indexes behind`);
          if (to === 600) await store.catchUpIndexes();
        }
        await store.catchUpIndexes();
        await expectEveryQueryExact(store, fixture, stored, 'all stored and indexed');
      } finally {
        await store.close();
      }
    });
  });

  describe('when another connection writes to the file', () => {
    it('should bring the totals this instance kept up to date with its rows', async () => {
      const path = newPath();
      const fixture = makeStoreFixture({ count: 400 });
      const reader = new SqliteMessageStore(path, { indexInBackground: false, containsScanRows: 0 });
      const writer = new SqliteMessageStore(path);
      try {
        await reader.init();
        await writer.init();
        await expectExactInTwoHalves(reader, writer, fixture);
      } finally {
        await writer.close();
        await reader.close();
      }
    });
  });

  describe('when the total cache and the page anchors are off', () => {
    it('should count every total and pass every row in front of a page, and still answer exactly', async () => {
      const fixture = makeStoreFixture({ count: 300 });
      const store = new SqliteMessageStore(newPath(), { indexInBackground: false, totalCacheEntries: 0, pageAnchorSets: 0, containsScanRows: 0 });
      try {
        await store.init();
        await expectExactInTwoHalves(store, store, fixture);
      } finally {
        await store.close();
      }
    });
  });
});
