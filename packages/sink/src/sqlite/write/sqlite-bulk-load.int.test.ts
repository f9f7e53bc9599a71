import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '@statbus/core';
import { makeStoreFixture } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-bulk-load-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteMessageStore.bulkLoad', () => {
  describe('when a write fails in the middle of the load', () => {
    it('should roll back every batch since the last commit, say so, and refuse the later ones', async () => {
      const { messages } = makeStoreFixture({ count: 3000 });
      const path = join(dir, 'full.db');
      const store = new SqliteMessageStore(path, { indexInBackground: false, bulkCommitRows: 500 });
      try {
        await store.init();
        // A few hundred pages: the file fills up (SQLITE_FULL) part of the way through the load.
        const pages = (await store.storageBytes()) / 4096;
        await store.close();
        const capped = new SqliteMessageStore(path, { indexInBackground: false, bulkCommitRows: 500, maxPageCount: Math.ceil(pages) + 150 });
        await capped.init();
        let stored = 0;
        const failures: unknown[] = [];
        await capped.bulkLoad(async () => {
          for (let from = 0; from < messages.length; from += 100) {
            try {
              stored += (await capped.insertMany(messages.slice(from, from + 100))).inserted.length;
            } catch (error) {
              failures.push(error);
            }
          }
        });
        expect(failures.length).toBeGreaterThan(1);
        const [first] = failures;
        expect(first).toBeInstanceOf(StoreError);
        expect((first as StoreError).retryable).toBe(false);
        expect((first as Error).message).toMatch(/rolled back/u);
        expect(new Set(failures)).toEqual(new Set([first]));
        // What is stored is what was committed: whole commits of 500, fewer than the calls that resolved.
        const { count } = await capped.count({});
        expect(count % 500).toBe(0);
        expect(count).toBeLessThan(stored);
        expect(count).toBeGreaterThan(0);
        await capped.close();
      } finally {
        await store.close();
      }
    });
  });
});
