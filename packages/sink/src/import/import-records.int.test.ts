import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import { createEnvelope } from '@statbus/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { exportRecord } from './import-record.js';
import { importInputRecords, importRecords } from './import-records.js';
import type { InputRecord } from './read-records.js';

let dir: string;
let store: SqliteMessageStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'statbus-import-'));
  store = new SqliteMessageStore(join(dir, 'archive.db'));
  await store.init();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const producer = { name: 'p', host: 'h', pid: 1, instance: 'i' };
const envelopes = Array.from({ length: 25 }, (_, index) =>
  createEnvelope({ topic: `org.statbus.dev.koji.build.${index % 2 === 0 ? 'start' : 'end'}`, body: { index }, seq: index + 1, producer, headers: { usernames: 'alice' } }),
);

describe(importRecords, () => {
  describe('when given NDJSON with bad lines', () => {
    it('should store the good records, count the bad ones by reason, and be idempotent', async () => {
      const lines = [...envelopes.map((envelope) => JSON.stringify(envelope)), 'not json', '{"hello": 1}', ''].join('\n');
      const first = await importRecords(store, Readable.from([lines]), { batchSize: 10 });
      expect([first.read, first.inserted, first.duplicates]).toEqual([27, 25, 0]);
      expect([...first.refused.entries()]).toEqual([
        ['not valid JSON', 1],
        ['unknown shape', 1],
      ]);
      expect(first.examples[0]).toMatch(/^line 26: not valid JSON/);
      const again = await importRecords(store, Readable.from([lines]));
      expect([again.inserted, again.duplicates]).toEqual([0, 25]);
      expect((await store.count({})).count).toBe(25);
    });
  });

  describe('when given a JSON array, or a saved datagrepper response', () => {
    it('should read every record', async () => {
      const array = JSON.stringify(envelopes.slice(0, 5), null, 2);
      expect((await importRecords(store, Readable.from([array]))).inserted).toBe(5);
      const response = JSON.stringify({ raw_messages: envelopes.slice(5, 8), total: 3, pages: 1, count: 3 }, null, 2);
      expect((await importRecords(store, Readable.from([response]))).inserted).toBe(3);
    });
  });

  describe('when given what dump writes', () => {
    it('should round-trip: the same messages, index included', async () => {
      const archived = envelopes.map((envelope) => ({ envelope, category: 'koji', users: ['alice'], packages: [], agent: 'alice' }));
      const ndjson = archived.map((message) => JSON.stringify(exportRecord(message))).join('\n');
      await importRecords(store, Readable.from([ndjson]), { prefix: 'org.statbus' });
      const page = await store.find({ order: 'asc', rowsPerPage: 100 });
      const byTimeThenId = (a: { envelope: { time: number; id: string } }, b: { envelope: { time: number; id: string } }): number =>
        a.envelope.time - b.envelope.time || (a.envelope.id < b.envelope.id ? -1 : 1);
      expect(page.messages).toEqual([...archived].sort(byTimeThenId));
    });
  });
});

/** The store's own connection (private): what its pragmas and counters are. */
function connectionOf(target: SqliteMessageStore): Database.Database {
  return (Reflect.get(target, 'store') as { db: Database.Database }).db;
}

function counters(target: SqliteMessageStore): Record<string, number> {
  const db = connectionOf(target);
  const rows = db.prepare('SELECT name, value FROM store_counter').raw().all() as [string, number][];
  return { ...Object.fromEntries(rows), last: db.prepare('SELECT max(n) FROM messages').pluck().get() as number };
}

/** datagrepper v1 records: users and packages left to the meta extractors (a bodhi comment names both). */
function datagrepperLines(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, offset) => {
    const index = from + offset;
    return JSON.stringify({
      msg_id: `2023-${index.toString(16).padStart(8, '0')}-4000-8000-000000000000`,
      i: 1,
      topic: 'org.fedoraproject.prod.bodhi.update.comment',
      timestamp: 1_672_531_200 + index,
      msg: { agent: `user${index % 3}`, comment: { text: `karma for update ${index} zebrafish`, user: { name: `user${index % 3}` }, update_title: `pkg${index % 5}-1.0-1.fc39` } },
    });
  });
}

describe(importInputRecords, () => {
  describe('when the store loads in bulk (SQLite)', () => {
    it('should not sync commit by commit during the load, sync again after, and complete every deferred index before it resolves', async () => {
      const modes: number[] = [];
      const db = connectionOf(store);
      const indexed: number[] = [];
      const records = async function* (): AsyncGenerator<InputRecord> {
        for (const [index, line] of datagrepperLines(0, 250).entries()) {
          await Promise.resolve(); // records arrive over time, as from a file or a database
          if (index === 100) modes.push(db.pragma('synchronous', { simple: true }) as number);
          yield { where: `line ${index + 1}`, value: JSON.parse(line) as unknown };
        }
      };
      const summary = await importInputRecords(store, records(), { batchSize: 40, onIndexing: (count) => indexed.push(count) });
      expect(summary.inserted).toBe(250);
      expect(modes).toEqual([1]);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(indexed.at(-1)).toBe(250);
      expect(counters(store)).toEqual({ messages: 250, side_indexed: 250, text_indexed: 250, last: 250 });
      expect((await store.count({ users: ['user1'] })).count).toBe(83);
      expect((await store.count({ packages: ['pkg2'] })).count).toBe(50);
      expect((await store.count({ contains: ['zebrafish'] })).count).toBe(250);
    });
  });

  describe('when an import is interrupted', () => {
    it('should leave a valid archive holding the batches it wrote, which a second run completes', async () => {
      const lines = datagrepperLines(0, 300);
      const broken = async function* (): AsyncGenerator<InputRecord> {
        for (const [index, line] of lines.entries()) {
          await Promise.resolve();
          if (index === 170) throw new Error('the input broke off');
          yield { where: `line ${index + 1}`, value: JSON.parse(line) as unknown };
        }
      };
      await expect(importInputRecords(store, broken(), { batchSize: 50 })).rejects.toThrow('the input broke off');
      expect(connectionOf(store).pragma('synchronous', { simple: true })).toBe(2);
      await store.close();
      store = new SqliteMessageStore(join(dir, 'archive.db'));
      await store.init();
      expect(connectionOf(store).pragma('integrity_check', { simple: true })).toBe('ok');
      expect((await store.count({})).count).toBe(150);
      const again = await importRecords(store, Readable.from([lines.join('\n')]), { batchSize: 50 });
      expect([again.inserted, again.duplicates]).toEqual([150, 150]);
      expect(counters(store)).toEqual({ messages: 300, side_indexed: 300, text_indexed: 300, last: 300 });
      expect((await store.count({ contains: ['zebrafish'], users: ['user0'] })).count).toBe(100);
    });
  });
});
