import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ArchivedMessage } from '@statbus/core';
import { makeStoreFixture, referenceFind, storeQueryCases, waitFor } from '@statbus/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { SqliteMessageStore } from '../sqlite-message-store.js';
import { buildTextChunk, sameRows } from '../text-index/text-chunk.js';
import { BITMAP_BLOCK_ROWS } from '../text-index/trigram-bitmaps.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-index-worker-'));
let files = 0;
const newPath = (): string => join(dir, `archive-${(files += 1)}.db`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function counters(path: string): { side: number; text: number; messages: number } {
  const db = new Database(path, { readonly: true });
  try {
    const read = (name: string): number => db.prepare('SELECT value FROM store_counter WHERE name = ?').pluck().get(name) as number;
    return { side: read('side_indexed'), text: read('text_indexed'), messages: read('messages') };
  } finally {
    db.close();
  }
}

/**
 * Runs `test` on a store with `count` messages loaded and none indexed: its worker leaves a backlog smaller than
 * a chunk for a minute, and takes the side tables in one transaction, so that nothing is indexed unless asked.
 */
async function withUnindexedBacklog(count: number, test: (store: SqliteMessageStore, path: string) => Promise<void>): Promise<void> {
  const fixture = makeStoreFixture({ count });
  const path = newPath();
  const store = new SqliteMessageStore(path, { indexInWorker: true, indexIdleDelayMs: 60_000, sideIndexChunk: 1_000_000, textIndexChunkBlocks: 100 });
  try {
    await store.init();
    await store.bulkLoad(async () => {
      await store.insertMany(fixture.messages);
    });
    await test(store, path);
  } finally {
    await store.close();
  }
}

async function expectExactContains(store: SqliteMessageStore, messages: readonly ArchivedMessage[], fixture: ReturnType<typeof makeStoreFixture>): Promise<void> {
  const now = Date.now();
  for (const { name, query } of storeQueryCases({ ...fixture, messages }).filter((entry) => entry.query.contains !== undefined || entry.query.users !== undefined)) {
    const expected = referenceFind(messages, query, now).map((message) => message.envelope.id);
    const page = await store.find({ ...query, rowsPerPage: 1000, page: 1 });
    expect(page.messages.map((message) => message.envelope.id), name).toEqual(expected.slice(0, 1000));
    expect(page.total, name).toBe(expected.length);
  }
}

describe('SqliteMessageStore indexing on its index worker', () => {
  describe('when batches are inserted', () => {
    it('should fill the side and text indexes on the worker, and answer exactly before and after', async () => {
      const fixture = makeStoreFixture({ count: BITMAP_BLOCK_ROWS + 900 });
      const path = newPath();
      const store = new SqliteMessageStore(path, { containsScanRows: 0, indexInWorker: true });
      try {
        await store.init();
        for (let from = 0; from < fixture.messages.length; from += 500) {
          await store.insertMany(fixture.messages.slice(from, from + 500));
          if (from === 2000) await expectExactContains(store, fixture.messages.slice(0, from + 500), fixture);
        }
        await waitFor(() => {
          const { side, text } = counters(path);
          return side === fixture.messages.length && text === fixture.messages.length;
        }, { timeoutMs: 20_000, message: 'both indexes complete' });
        await expectExactContains(store, fixture.messages, fixture);
      } finally {
        await store.close();
      }
    });
  });

  describe('when catchUpIndexes is called', () => {
    it('should resolve with what the worker indexed, up to maxRows', async () => {
      await withUnindexedBacklog(3000, async (store, path) => {
        const first = await store.catchUpIndexes(1000);
        expect(first).toBe(1000);
        let rest = 0;
        for (let step = await store.catchUpIndexes(); step > 0; step = await store.catchUpIndexes()) rest += step;
        expect(rest).toBe(2000);
        expect(counters(path)).toEqual({ side: 3000, text: 3000, messages: 3000 });
      });
    });
  });

  describe('when the store writes while its worker holds the write lock', () => {
    it('should wait for the worker to let the lock go, not fail as locked', async () => {
      // One side-table transaction for the whole backlog: the worker holds the lock far longer than SQLite's own wait.
      await withUnindexedBacklog(20_000, async (store, path) => {
        let indexed = false;
        const catchingUp = Promise.resolve(store.catchUpIndexes()).finally(() => (indexed = true));
        let bucket = 0;
        let applied = 0;
        while (!indexed) {
          bucket += 60_000;
          const cell = { plugin: 'worker-lock', interval: '1m', bucket, key: '', field: 'count', op: 'add' as const, value: 1 };
          expect(await store.applyRollups([cell], [])).toBe(true);
          applied += 1;
          // As the metrics engine does: a write every few milliseconds, other work in between.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await catchingUp;
        expect(applied, 'rollups applied while the worker indexed').toBeGreaterThan(0);
        expect(counters(path)).toEqual({ side: 20_000, text: 20_000, messages: 20_000 });
      });
    });
  });

  describe('when a store stopped before its indexes were complete', () => {
    it('should complete them on its worker once opened again', async () => {
      const fixture = makeStoreFixture({ count: 1200 });
      const path = newPath();
      const first = new SqliteMessageStore(path, { indexInBackground: false });
      await first.init();
      await first.insertMany(fixture.messages);
      await first.catchUpIndexes(400);
      await first.close();
      expect(counters(path)).toMatchObject({ side: 400, text: 400 });
      const again = new SqliteMessageStore(path, { containsScanRows: 0, indexIdleDelayMs: 0, indexInWorker: true });
      try {
        await again.init();
        await waitFor(() => counters(path).text === 1200 && counters(path).side === 1200, { timeoutMs: 20_000, message: 'indexing resumed' });
        await expectExactContains(again, fixture.messages, fixture);
      } finally {
        await again.close();
      }
    });
  });
});

describe(sameRows, () => {
  describe('when the last row read was deleted and its key given to a new message', () => {
    it('should say the chunk no longer matches the rows stored', () => {
      const db = new Database(':memory:');
      try {
        db.exec('CREATE TABLE messages (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)');
        const insert = db.prepare('INSERT INTO messages (id, body) VALUES (?, ?)');
        for (const id of ['a', 'b', 'c']) insert.run(id, `{"text":"body of ${id}"}`);
        const statements = new SqliteStatementCache(db);
        const chunk = buildTextChunk(statements, 0, 3);
        expect(sameRows(statements, chunk)).toBe(true);
        db.prepare("DELETE FROM messages WHERE id = 'c'").run();
        expect(insert.run('d', '{"text":"another body"}').lastInsertRowid).toBe(3);
        expect(sameRows(statements, chunk)).toBe(false);
      } finally {
        db.close();
      }
    });
  });
});
