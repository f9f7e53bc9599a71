import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { ArchivedMessage } from '@statbus/core';
import { describeStoreContract, makeStoreFixture, referenceFind, storeQueryCases } from '@statbus/testing';
import { SqliteMessageStore } from './sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-'));
let files = 0;
const newPath = (): string => join(dir, `store-${(files += 1)}`, 'archive.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('SqliteMessageStore (contract, real file)', () => Promise.resolve(new SqliteMessageStore(newPath())));

describe(SqliteMessageStore, () => {
  describe('.init', () => {
    describe('when the file is new', () => {
      it('should create it in WAL mode with synchronous FULL and record the schema version', async () => {
        const path = newPath();
        const store = new SqliteMessageStore(path);
        try {
          await store.init();
          expect(store.schemaVersions()).toEqual([1]);
          const db = new Database(path, { readonly: true });
          try {
            expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
          } finally {
            db.close();
          }
        } finally {
          await store.close();
        }
      });
    });
    describe('when the file was made before', () => {
      it('should keep its messages and apply no migration twice', async () => {
        const path = newPath();
        const [message] = makeStoreFixture({ count: 1 }).messages;
        const first = new SqliteMessageStore(path);
        await first.init();
        await first.insertMany(message === undefined ? [] : [message]);
        await first.close();
        const second = new SqliteMessageStore(path);
        try {
          await second.init();
          expect(second.schemaVersions()).toEqual([1]);
          expect(await second.count({})).toEqual({ count: 1, exact: true });
        } finally {
          await second.close();
        }
      });
    });
  });

  describe('.indexText', () => {
    describe('when the text index covers only part of the archive', () => {
      it('should still find every match of contains and notContains, before, while and after indexing', async () => {
        const store = new SqliteMessageStore(newPath(), { indexTextInBackground: false });
        try {
          await store.init();
          const fixture = makeStoreFixture({ count: 600 });
          await store.insertMany(fixture.messages);
          const cases = storeQueryCases(fixture).filter(({ query }) => query.contains !== undefined || query.notContains !== undefined);
          const now = Date.now();
          for (const indexed of [0, 250, 600]) {
            if (indexed > 0) await store.indexText(indexed === 600 ? undefined : indexed);
            for (const { query } of cases) {
              const expected = referenceFind(fixture.messages, query, now);
              const page = await store.find({ ...query, rowsPerPage: 1000, page: 1 });
              expect(page.messages.map((m) => m.envelope.id)).toEqual(expected.map((m) => m.envelope.id));
              expect(page.total).toBe(expected.length);
            }
          }
          expect(await store.indexText()).toBe(0);
        } finally {
          await store.close();
        }
      });
    });
  });

  describe('.insertMany', () => {
    describe('when a body cannot be serialised', () => {
      it('should reject with a non-retryable StoreError naming the id and write nothing of the batch', async () => {
        const store = new SqliteMessageStore(newPath());
        try {
          await store.init();
          const [good, bad] = makeStoreFixture({ count: 2 }).messages as readonly [ArchivedMessage, ArchivedMessage];
          const broken = { ...bad, envelope: { ...bad.envelope, body: { big: 10n } } } as unknown as ArchivedMessage;
          await expect(store.insertMany([good, broken])).rejects.toMatchObject({ code: 'ERR_STORE', retryable: false, message: expect.stringContaining(bad.envelope.id) as unknown });
          expect((await store.count({})).count).toBe(0);
        } finally {
          await store.close();
        }
      });
    });
    describe('when the store is closed', () => {
      it('should reject with a non-retryable StoreError', async () => {
        const store = new SqliteMessageStore(newPath());
        await store.init();
        await store.close();
        await store.close();
        await expect(store.insertMany([])).rejects.toMatchObject({ code: 'ERR_STORE', retryable: false });
      });
    });
  });
});
