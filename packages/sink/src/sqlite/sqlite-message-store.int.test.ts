import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { ArchivedMessage } from '@statbus/core';
import { describeStoreContract, makeStoreFixture, referenceFind, storeQueryCases, waitFor } from '@statbus/testing';
import { SqliteMessageStore } from './sqlite-message-store.js';
import { SQLITE_MIGRATIONS, runSqliteMigrations } from './schema/sqlite-migrations.js';
import { prepareMessage } from './schema/sqlite-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-'));
let files = 0;
const newPath = (): string => join(dir, `store-${(files += 1)}`, 'archive.db');

/** `[side_indexed, text_indexed]` of a store file, read by a second connection. */
function indexedUpTo(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return ['side_indexed', 'text_indexed'].map((name) => db.prepare('SELECT value FROM store_counter WHERE name = ?').pluck().get(name) as number);
  } finally {
    db.close();
  }
}

/** Whether the store file holds a table (or virtual table) of this name. */
function hasTable(path: string, name: string): boolean {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
  } finally {
    db.close();
  }
}

/** A store file as version 1 wrote it: users and packages indexed at insert, the text index empty. */
function writeVersion1File(path: string, messages: readonly ArchivedMessage[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    runSqliteMigrations(db, SQLITE_MIGRATIONS.filter((migration) => migration.version === 1));
    const insert = db.prepare(`INSERT INTO messages (id, time, topic, category, agent, producer_name, producer_host, producer_pid,
      producer_instance, seq, headers, body, signature, users, packages) VALUES (@id, @time, @topic, @category, @agent, @producer_name,
      @producer_host, @producer_pid, @producer_instance, @seq, @headers, @body, @signature, @users, @packages)`);
    db.transaction(() => {
      for (const message of messages) {
        const n = Number(insert.run(prepareMessage(message).row).lastInsertRowid);
        for (const user of new Set(message.users)) db.prepare('INSERT INTO message_users VALUES (?, ?, ?)').run(user, message.envelope.time, n);
        for (const name of new Set(message.packages)) db.prepare('INSERT INTO message_packages VALUES (?, ?, ?)').run(name, message.envelope.time, n);
        db.prepare(`INSERT INTO topic_summary VALUES (?, ?, 1, ?, ?) ON CONFLICT (topic) DO UPDATE SET count = count + 1,
          first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`)
          .run(message.envelope.topic, message.category, message.envelope.time, message.envelope.time);
      }
      db.prepare("UPDATE store_counter SET value = ? WHERE name = 'messages'").run(messages.length);
    })();
  } finally {
    db.close();
  }
}

/** `message` with `body` in place of its own. */
function withBody(message: ArchivedMessage, body: Record<string, string>): ArchivedMessage {
  return { ...message, envelope: { ...message.envelope, body } };
}

/** The messages' ids, sorted. */
function sorted(...messages: ArchivedMessage[]): string[] {
  return messages.map((message) => message.envelope.id).sort();
}

/** The sorted ids of the stored messages whose body contains `needle` (case-insensitively unless told). */
async function ids(store: SqliteMessageStore, needle: string, containsCase: 'sensitive' | 'insensitive' = 'insensitive'): Promise<string[]> {
  return sorted(...(await store.find({ contains: [needle], containsCase, order: 'asc' })).messages);
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('SqliteMessageStore (contract, real file)', () => Promise.resolve(new SqliteMessageStore(newPath())));
// The fixture is small: with the default, every contains would check the rows one by one.
describeStoreContract('SqliteMessageStore (contract, real file, contains through the text index)', () =>
  Promise.resolve(new SqliteMessageStore(newPath(), { containsScanRows: 0 })),
);

describe(SqliteMessageStore, () => {
  describe('.init', () => {
    describe('when the file is new', () => {
      it('should create it in WAL mode with synchronous FULL and record the schema version', async () => {
        const path = newPath();
        const store = new SqliteMessageStore(path);
        try {
          await store.init();
          expect(store.schemaVersions()).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
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
          expect(second.schemaVersions()).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
          expect(await second.count({})).toEqual({ count: 1, exact: true });
        } finally {
          await second.close();
        }
      });
    });
  });

  describe('.catchUpIndexes', () => {
    describe('when the deferred indexes cover only part of the archive', () => {
      it('should answer every contract query exactly, before, while and after indexing', async () => {
        const store = new SqliteMessageStore(newPath(), { indexInBackground: false, containsScanRows: 0 });
        try {
          await store.init();
          const fixture = makeStoreFixture({ count: 600 });
          await store.insertMany(fixture.messages);
          const cases = storeQueryCases(fixture);
          const now = Date.now();
          for (const indexed of [0, 250, 600]) {
            if (indexed > 0) expect(await store.catchUpIndexes(indexed === 600 ? undefined : indexed)).toBe(indexed === 600 ? 350 : 250);
            for (const { name, query } of cases) {
              const expected = referenceFind(fixture.messages, query, now);
              const page = await store.find({ ...query, cursor: undefined, rowsPerPage: 1000, page: 1 });
              expect(page.messages.map((m) => m.envelope.id), `${name} with ${indexed} indexed`).toEqual(expected.map((m) => m.envelope.id));
              expect(page.total, name).toBe(expected.length);
              expect((await store.count(query)).count, name).toBe(expected.length);
            }
          }
          expect(await store.catchUpIndexes()).toBe(0);
        } finally {
          await store.close();
        }
      });
    });
    describe('when bodies hold long runs of one character', () => {
      it('should find every needle across and inside the runs through the text index', async () => {
        const path = newPath();
        const store = new SqliteMessageStore(path, { indexInBackground: false, containsScanRows: 0 });
        try {
          await store.init();
          const [a, b, c] = makeStoreFixture({ count: 3 }).messages as readonly [ArchivedMessage, ArchivedMessage, ArchivedMessage];
          await store.insertMany([
            withBody(a, { pad: `a${'x'.repeat(800)}b`, rule: '=====' }),
            withBody(b, { pad: 'axxb', rule: '===' }),
            withBody(c, { pad: `${'X'.repeat(5)}ÉÉÉÉÉé`, rule: '😀😀😀😀' }),
          ]);
          expect(await store.catchUpIndexes()).toBe(3);
          expect(indexedUpTo(path)).toEqual([3, 3]);
          expect(await ids(store, 'x'.repeat(700))).toEqual(sorted(a));
          expect(await ids(store, 'axxxx')).toEqual(sorted(a));
          expect(await ids(store, 'xxxxb')).toEqual(sorted(a));
          expect(await ids(store, 'axx')).toEqual(sorted(a, b));
          expect(await ids(store, 'xxxxx')).toEqual(sorted(a, c));
          expect(await ids(store, '"xxxxxé')).toEqual(sorted(c));
          expect(await ids(store, 'xéééééé')).toEqual(sorted(c));
          expect(await ids(store, 'éééééé')).toEqual(sorted(c));
          expect(await ids(store, 'ééééééé')).toEqual([]);
          expect(await ids(store, '====')).toEqual(sorted(a));
          expect(await ids(store, '😀😀😀😀')).toEqual(sorted(c));
        } finally {
          await store.close();
        }
      });
    });

    describe('when indexing in the background', () => {
      it('should fill every deferred index after the inserts, without being asked', async () => {
        const store = new SqliteMessageStore(newPath());
        try {
          await store.init();
          await store.insertMany(makeStoreFixture({ count: 300 }).messages);
          await waitFor(async () => (await store.catchUpIndexes(0)) === 0 && indexedUpTo(store.path).every((value) => value === 300));
          expect(await store.catchUpIndexes()).toBe(0);
        } finally {
          await store.close();
        }
      });
    });
  });

  describe('.find', () => {
    describe('when a body holds one of the two characters JavaScript lower-cases to ASCII', () => {
      it('should match ASCII needles as JavaScript does (Kelvin sign → k, İ → i̇), other non-ASCII bodies by LIKE', async () => {
        const store = new SqliteMessageStore(newPath(), { indexInBackground: false, containsScanRows: 0 });
        try {
          await store.init();
          const [a, b, c, d] = makeStoreFixture({ count: 4 }).messages as readonly [ArchivedMessage, ArchivedMessage, ArchivedMessage, ArchivedMessage];
          await store.insertMany([withBody(a, { text: '\u212Aarma up' }), withBody(b, { text: 'İstanbul' }), withBody(c, { text: 'Karma in Straße' }), withBody(d, { text: 'naïve karma' })]);
          for (const indexed of [false, true]) {
            if (indexed) await store.catchUpIndexes();
            expect(await ids(store, 'karma')).toEqual(sorted(a, c, d));
            expect(await ids(store, 'KARMA UP')).toEqual(sorted(a));
            expect(await ids(store, 'istanbul')).toEqual([]);
            expect(await ids(store, 'i̇stanbul')).toEqual(sorted(b));
            expect(await ids(store, 'stanbul')).toEqual(sorted(b));
          }
        } finally {
          await store.close();
        }
      });
    });

    describe('when contains is case-sensitive (the default)', () => {
      it('should match letters exactly, through the text index or not, and a capital sigma whatever its neighbours', async () => {
        const store = new SqliteMessageStore(newPath(), { indexInBackground: false, containsScanRows: 0 });
        try {
          await store.init();
          const [a, b, c, d] = makeStoreFixture({ count: 4 }).messages as readonly [ArchivedMessage, ArchivedMessage, ArchivedMessage, ArchivedMessage];
          await store.insertMany([withBody(a, { text: 'Kernel panic' }), withBody(b, { text: 'kernel PANIC' }), withBody(c, { text: 'ΟΔΟΣΑ Straße' }), withBody(d, { text: 'ΟΔΟΣ STRASSE' })]);
          for (const indexed of [false, true]) {
            if (indexed) await store.catchUpIndexes();
            expect(await ids(store, 'Kernel', 'sensitive')).toEqual(sorted(a));
            expect(await ids(store, 'kernel', 'sensitive')).toEqual(sorted(b));
            expect(await ids(store, 'kernel')).toEqual(sorted(a, b));
            expect(await ids(store, 'l PANIC', 'sensitive')).toEqual(sorted(b));
            expect(await ids(store, 'ΟΔΟΣ', 'sensitive')).toEqual(sorted(c, d));
            expect(await ids(store, 'Straße', 'sensitive')).toEqual(sorted(c));
            expect(await ids(store, 'straße', 'sensitive')).toEqual([]);
            expect((await store.find({ notContains: ['PANIC'] })).total).toBe(3);
            expect((await store.count({ contains: ['panic'], containsCase: 'insensitive' })).count).toBe(2);
          }
        } finally {
          await store.close();
        }
      });
    });

    describe('when a contains needle holds LIKE wildcards, the escape character or JSON escapes', () => {
      it('should match them literally, in ASCII and non-ASCII bodies alike', async () => {
        const store = new SqliteMessageStore(newPath(), { containsScanRows: 0 });
        try {
          await store.init();
          const [a, b, c] = makeStoreFixture({ count: 3 }).messages as readonly [ArchivedMessage, ArchivedMessage, ArchivedMessage];
          await store.insertMany([
            withBody(a, { path: 'C:\\Temp\\x_y', note: '100% "done"' }),
            withBody(b, { path: 'C:/Temp/xAy', note: '100 percent, Grüße' }),
            withBody(c, { path: 'c:\\temp', note: '100% Grüße' }),
          ]);
          expect(await ids(store, 'x_y')).toEqual(sorted(a));
          expect(await ids(store, '100%')).toEqual(sorted(a, c));
          expect(await ids(store, '\\\\temp')).toEqual(sorted(a, c));
          expect(await ids(store, '\\"done\\"')).toEqual(sorted(a));
          expect(await ids(store, '%')).toEqual(sorted(a, c));
        } finally {
          await store.close();
        }
      });
    });
  });

  describe('.init (migrations)', () => {
    describe('when the file has schema version 1 with messages in it', () => {
      it('should migrate it to the latest version and answer every contract query as before', async () => {
        const path = newPath();
        const fixture = makeStoreFixture({ count: 400 });
        writeVersion1File(path, fixture.messages);
        const store = new SqliteMessageStore(path, { indexInBackground: false });
        try {
          await store.init();
          expect(store.schemaVersions()).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
          expect(indexedUpTo(path)).toEqual([400, 0]);
          expect([hasTable(path, 'message_text'), hasTable(path, 'text_signatures')]).toEqual([false, true]);
          const now = Date.now();
          for (const { name, query } of storeQueryCases(fixture)) {
            const expected = referenceFind(fixture.messages, query, now);
            const page = await store.find({ ...query, rowsPerPage: 1000, page: 1 });
            expect(page.messages.map((m) => m.envelope.id), name).toEqual(expected.map((m) => m.envelope.id));
          }
          expect(await store.catchUpIndexes()).toBe(400);
        } finally {
          await store.close();
        }
      });
    });

    describe('when the file has schema version 4 with messages in it', () => {
      it('should add the verification result in place: rows archived before are not verified, new ones as archived', async () => {
        const path = newPath();
        const fixture = makeStoreFixture({ count: 20 });
        writeVersion1File(path, fixture.messages);
        const db = new Database(path);
        try {
          runSqliteMigrations(db, SQLITE_MIGRATIONS.filter((migration) => migration.version <= 4));
        } finally {
          db.close();
        }
        const [old, template] = fixture.messages as [ArchivedMessage, ArchivedMessage];
        const store = new SqliteMessageStore(path, { indexInBackground: false });
        try {
          await store.init();
          expect(store.schemaVersions()).toContain(6);
          expect(await store.get(old.envelope.id)).toEqual(old);
          const fresh: ArchivedMessage = { ...template, envelope: { ...template.envelope, id: '2026-verified' }, verified: true };
          await store.insertMany([fresh]);
          expect((await store.get('2026-verified'))?.verified).toBe(true);
          expect((await store.count({})).count).toBe(21);
        } finally {
          await store.close();
        }
      });
    });

    describe('when the file has schema version 3 with its FTS5 text index filled', () => {
      it('should drop that index, index every row again and miss no contains match meanwhile', async () => {
        const path = newPath();
        const fixture = makeStoreFixture({ count: 300 });
        writeVersion1File(path, fixture.messages);
        const db = new Database(path);
        try {
          runSqliteMigrations(db, SQLITE_MIGRATIONS.filter((migration) => migration.version <= 3));
          db.exec("INSERT INTO message_text (rowid, text) SELECT n, lower(body) FROM messages; UPDATE store_counter SET value = 300 WHERE name IN ('text_indexed', 'side_indexed')");
        } finally {
          db.close();
        }
        const store = new SqliteMessageStore(path, { indexInBackground: false, containsScanRows: 0 });
        try {
          await store.init();
          expect(store.schemaVersions()).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
          expect(indexedUpTo(path)).toEqual([300, 0]);
          const now = Date.now();
          for (const indexed of [false, true]) {
            if (indexed) expect(await store.catchUpIndexes()).toBe(300);
            for (const { name, query } of storeQueryCases(fixture).filter((entry) => entry.query.contains !== undefined)) {
              const expected = referenceFind(fixture.messages, query, now);
              const page = await store.find({ ...query, rowsPerPage: 1000, page: 1 });
              expect(page.messages.map((m) => m.envelope.id), `${name} (indexed: ${indexed})`).toEqual(expected.map((m) => m.envelope.id));
            }
          }
          expect(indexedUpTo(path)).toEqual([300, 300]);
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
