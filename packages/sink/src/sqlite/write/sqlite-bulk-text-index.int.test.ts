import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeStoreFixture } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite-message-store.js';
import { BITMAP_BLOCK_ROWS } from '../text-index/trigram-bitmaps.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-bulk-text-index-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The text index's rows and counter, read from the file. */
function textIndexOf(path: string): { indexed: number; rows: [number, string][] } {
  const db = new Database(path, { readonly: true });
  try {
    const indexed = db.prepare("SELECT value FROM store_counter WHERE name = 'text_indexed'").pluck().get() as number;
    const rows = db.prepare('SELECT key, hex(bits) FROM text_signatures ORDER BY key').raw().all() as [number, string][];
    return { indexed, rows };
  } finally {
    db.close();
  }
}

/** The same file's text index rebuilt from nothing by the deferred indexer. */
async function rebuiltTextIndexOf(path: string): Promise<{ indexed: number; rows: [number, string][] }> {
  const db = new Database(path);
  db.exec("DELETE FROM text_signatures; UPDATE store_counter SET value = 0 WHERE name = 'text_indexed'");
  db.close();
  const store = new SqliteMessageStore(path, { indexInBackground: false });
  try {
    await store.init();
    await store.catchUpIndexes();
  } finally {
    await store.close();
  }
  return textIndexOf(path);
}

const { messages } = makeStoreFixture({ count: 2 * BITMAP_BLOCK_ROWS + 900 });

/**
 * Stores `before` messages and indexes them, then loads the rest in one bulk load, `batch` at a time (`between`
 * runs after the first batch), then completes the indexes. Returns the text index as the load left it and at the end.
 */
async function load(name: string, before: number, batch: number, between?: (path: string) => void) {
  const path = join(dir, `${name}.db`);
  const store = new SqliteMessageStore(path, { indexInBackground: false, bulkCommitRows: 3000 });
  try {
    await store.init();
    if (before > 0) await store.insertMany(messages.slice(0, before));
    await store.catchUpIndexes();
    await store.bulkLoad(async () => {
      for (let from = before; from < messages.length; from += batch) {
        await store.insertMany(messages.slice(from, from + batch));
        if (from === before) between?.(path);
      }
    });
    const during = textIndexOf(path).indexed;
    await store.catchUpIndexes();
    return { path, during, after: textIndexOf(path) };
  } finally {
    await store.close();
  }
}

describe('SqliteBulkTextIndex', () => {
  describe('when a bulk load fills whole blocks', () => {
    it('should write them during the load, as the deferred indexer would have', async () => {
      const bulk = await load('bulk', 0, 1000);
      expect(bulk.during).toBe(2 * BITMAP_BLOCK_ROWS - 1);
      expect(bulk.after.indexed).toBe(messages.length);
      expect(bulk.after).toEqual(await rebuiltTextIndexOf(bulk.path));
    });
  });

  describe('when the load starts in the middle of a block', () => {
    it('should build that block whole, with the rows stored before the load', async () => {
      const bulk = await load('middle', 1234, 700);
      expect(bulk.during).toBe(2 * BITMAP_BLOCK_ROWS - 1);
      expect(bulk.after).toEqual(await rebuiltTextIndexOf(bulk.path));
    });
  });

  describe("when another writer adds a row between the load's commits", () => {
    it('should give up and leave the text index to the deferred indexer', async () => {
      const bulk = await load('interleaved', 0, 4000, (path) => {
        // The first batch (4,000 rows, over bulkCommitRows) is committed: another connection may write.
        const db = new Database(path);
        try {
          db.prepare(`INSERT INTO messages (id, time, topic, category, producer_name, producer_host, producer_pid, producer_instance,
            seq, headers, body, users, packages) VALUES ('other-writer', 0, 'a.b', 'b', 'p', 'h', 1, 'i', 1, '{}', ?, '[]', '[]')`).run(
            JSON.stringify({ text: 'another writer' }),
          );
        } finally {
          db.close();
        }
      });
      expect(bulk.during).toBe(0);
      expect(bulk.after.indexed).toBe(messages.length + 1);
      expect(bulk.after).toEqual(await rebuiltTextIndexOf(bulk.path));
    });
  });
});
