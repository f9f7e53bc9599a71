import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '@statbus/core';
import { makeStoreFixture, referenceFind, storeQueryCases } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-deep-pages-'));
const ROWS = 10;

describe('SqlitePageFinder', () => {
  describe('.find when a page lies over a thousand rows deep', () => {
    const fixture = makeStoreFixture({ count: 4000 });
    // Whole minutes: many messages share a time, so the page's first row sits among rows of its own time.
    const stored: ArchivedMessage[] = fixture.messages.map((message) => ({ ...message, envelope: { ...message.envelope, time: Math.floor(message.envelope.time / 60_000) * 60_000 } }));
    // No anchors: every page is found from the first row, past all the rows in front of it.
    const store = new SqliteMessageStore(join(dir, 'archive.db'), { indexInBackground: false, pageAnchorSets: 0 });

    beforeAll(async () => {
      await store.init();
      await store.insertMany(stored);
      await store.catchUpIndexes();
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('should give exactly the rows of plain offset paging, in both orders', async () => {
      const now = Date.now();
      let checked = 0;
      for (const { name, query } of storeQueryCases(fixture)) {
        for (const order of ['desc', 'asc'] as const) {
          const expected = referenceFind(stored, { ...query, order }, now).map((message) => message.envelope.id);
          for (const page of [101, 150, 251, 399, 401]) {
            const found = await store.find({ ...query, cursor: undefined, order, rowsPerPage: ROWS, page });
            const want = expected.slice((page - 1) * ROWS, page * ROWS);
            expect(found.messages.map((message) => message.envelope.id), `${name}, ${order}, page ${page}`).toEqual(want);
            checked += want.length;
          }
        }
      }
      // The cases reach that deep: the check is not vacuous.
      expect(checked).toBeGreaterThan(1000);
    });
  });
});
