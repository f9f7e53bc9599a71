import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchivedMessage } from '@statbus/core';
import Database from 'better-sqlite3';
import { makeStoreFixture, referenceFind, storeQueryCases, waitFor } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite-message-store.js';
import { BITMAP_BLOCK_ROWS } from './trigram-bitmaps.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-text-index-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Row keys start at 1: the message at index i is row i + 1. These rows sit on both sides of block boundaries. */
const BOUNDARY_ROWS = [1, BITMAP_BLOCK_ROWS - 1, BITMAP_BLOCK_ROWS, BITMAP_BLOCK_ROWS + 1, 2 * BITMAP_BLOCK_ROWS - 1, 2 * BITMAP_BLOCK_ROWS];
const MARK = 'Zebra-Boundary';

describe('SqliteMessageStore contains over several trigram-bitmap blocks', () => {
  it('should find every match at each stage of indexing: none, part of a block, across a boundary, all', async () => {
    const fixture = makeStoreFixture({ count: 2 * BITMAP_BLOCK_ROWS + 300 });
    const messages: ArchivedMessage[] = fixture.messages.map((message, index) =>
      BOUNDARY_ROWS.includes(index + 1) ? { ...message, envelope: { ...message.envelope, body: { ...message.envelope.body, note: `a ${MARK} here` } } } : message,
    );
    const store = new SqliteMessageStore(join(dir, 'archive.db'), { indexInBackground: false, containsScanRows: 0 });
    try {
      await store.init();
      await store.insertMany(messages);
      const now = Date.now();
      const cases = [
        ...storeQueryCases({ ...fixture, messages }).filter(({ query }) => query.contains !== undefined),
        { name: 'a needle on rows at block boundaries', query: { contains: [MARK.toLowerCase()] } },
        { name: 'the same, upper-cased, case-insensitive, with a window', query: { contains: [MARK.toUpperCase()], containsCase: 'insensitive' as const, start: 0, end: now + 1 } },
        { name: 'the same, case-sensitive', query: { contains: [MARK] } },
      ];
      // Indexed: nothing, part of the first block, across its end, into the third block, everything.
      for (const step of [0, BITMAP_BLOCK_ROWS - 2, 3, BITMAP_BLOCK_ROWS + 100, undefined]) {
        if (step !== 0) await store.catchUpIndexes(step);
        for (const { name, query } of cases) {
          const expected = referenceFind(messages, query, now).map((message) => message.envelope.id);
          const page = await store.find({ ...query, rowsPerPage: 1000, page: 1 });
          expect(page.messages.map((message) => message.envelope.id), `${name} (after indexing ${String(step)} more)`).toEqual(expected.slice(0, 1000));
          expect(page.total, name).toBe(expected.length);
        }
      }
      expect(referenceFind(messages, { contains: [MARK] }, now)).toHaveLength(BOUNDARY_ROWS.length);
    } finally {
      await store.close();
    }
  });

  it('should index whole blocks in the background while batches keep coming, and every row once the stream pauses', async () => {
    const fixture = makeStoreFixture({ count: 2 * BITMAP_BLOCK_ROWS + 700 });
    const path = join(dir, 'background.db');
    const store = new SqliteMessageStore(path, { containsScanRows: 0 });
    const indexedUpTo = (): number => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("SELECT value FROM store_counter WHERE name = 'text_indexed'").pluck().get() as number;
      } finally {
        db.close();
      }
    };
    try {
      await store.init();
      for (let from = 0; from < fixture.messages.length; from += 500) await store.insertMany(fixture.messages.slice(from, from + 500));
      await waitFor(() => indexedUpTo() === fixture.messages.length, { timeoutMs: 20_000 });
      const now = Date.now();
      for (const { name, query } of storeQueryCases(fixture).filter((entry) => entry.query.contains !== undefined)) {
        const expected = referenceFind(fixture.messages, query, now).map((message) => message.envelope.id);
        const page = await store.find({ ...query, rowsPerPage: 1000, page: 1 });
        expect(page.messages.map((message) => message.envelope.id), name).toEqual(expected.slice(0, 1000));
        expect(page.total, name).toBe(expected.length);
      }
    } finally {
      await store.close();
    }
  });
});
