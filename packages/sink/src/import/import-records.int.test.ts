import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createEnvelope } from '@statbus/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { exportRecord } from './import-record.js';
import { importRecords } from './import-records.js';

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
