import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryError, REDACTED, type ArchivedMessage } from '@statbus/core';
import { makeStoreFixture } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from './sqlite-message-store.js';

const fixture = makeStoreFixture({ count: 600 });
let dir: string;
let store: SqliteMessageStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'statbus-maintenance-'));
  // containsScanRows 0: `contains` reads the text index even on an archive this small.
  store = new SqliteMessageStore(join(dir, 'archive.db'), { indexInBackground: false, containsScanRows: 0 });
  await store.init();
  await store.insertMany(fixture.messages);
  await store.catchUpIndexes();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A message with a user, a package and an agent, so that every side index holds it. */
const target = fixture.messages.find((message) => message.users.length > 0 && message.packages.length > 0 && message.agent !== undefined) as ArchivedMessage;

describe('SqliteMessageStore maintenance', () => {
  describe('.deleteMessages', () => {
    it('should remove the message from every way of finding it and keep the totals consistent', async () => {
      const { envelope, users, packages } = target;
      const before = await store.count({ users: [users[0] ?? ''] });
      const topicBefore = (await store.topics()).find((topic) => topic.topic === envelope.topic);
      // Asked once before the delete, so that the cached total and page anchors exist.
      await store.find({ packages: [packages[0] ?? ''] });
      expect(await store.deleteMessages([envelope.id, 'no-such-id'])).toEqual([envelope.id]);
      expect(await store.get(envelope.id)).toBeUndefined();
      expect((await store.count({ users: [users[0] ?? ''] })).count).toBe(before.count - 1);
      expect((await store.find({ packages: [packages[0] ?? ''] })).messages.map((message) => message.envelope.id)).not.toContain(envelope.id);
      expect((await store.find({ agents: [target.agent ?? ''] })).messages.map((message) => message.envelope.id)).not.toContain(envelope.id);
      const topicAfter = (await store.topics()).find((topic) => topic.topic === envelope.topic);
      expect(topicAfter?.count ?? 0).toBe((topicBefore?.count ?? 0) - 1);
      expect((await store.stats()).total).toBe(fixture.messages.length - 1);
      expect((await store.count({}, { estimate: true })).count).toBe(fixture.messages.length - 1);
    });
  });

  describe('.redactMessage', () => {
    it('should replace a field, drop the signature and keep the rest', async () => {
      const key = Object.keys(target.envelope.body)[0] ?? '';
      expect(await store.redactMessage(target.envelope.id, [`body.${key}`])).toBe(true);
      const redacted = await store.get(target.envelope.id);
      expect(redacted?.envelope.body[key]).toBe(REDACTED);
      expect(redacted?.envelope.signature).toBeUndefined();
      expect(redacted?.envelope.topic).toBe(target.envelope.topic);
    });

    it('should redact the whole body by default, and a header by name', async () => {
      const header = Object.keys(target.envelope.headers)[0] ?? '';
      expect(await store.redactMessage(target.envelope.id, [])).toBe(true);
      expect(await store.redactMessage(target.envelope.id, [`headers.${header}`])).toBe(true);
      const redacted = await store.get(target.envelope.id);
      expect(redacted?.envelope.body).toEqual({ redacted: true });
      expect(redacted?.envelope.headers[header]).toBe(REDACTED);
    });

    it('should find the redacted message by what the redaction wrote, before and after the text index catches up', async () => {
      const needle = { contains: [REDACTED] };
      expect((await store.find(needle)).messages).toEqual([]);
      const key = Object.keys(target.envelope.body)[0] ?? '';
      expect(await store.redactMessage(target.envelope.id, [`body.${key}`])).toBe(true);
      expect((await store.find(needle)).messages.map((message) => message.envelope.id)).toEqual([target.envelope.id]);
      await store.catchUpIndexes();
      expect((await store.count(needle)).count).toBe(1);
      expect((await store.find(needle)).messages.map((message) => message.envelope.id)).toEqual([target.envelope.id]);
    });

    it('should answer false for an unknown id and refuse a bad path by name', async () => {
      expect(await store.redactMessage('no-such-id', [])).toBe(false);
      await expect(store.redactMessage(target.envelope.id, ['producer.name'])).rejects.toThrow(QueryError);
      await expect(store.redactMessage(target.envelope.id, ['body.no.such.key'])).rejects.toThrow(/not in the message/u);
    });
  });

  describe('.prune', () => {
    it('should remove what is older than the cut-off, of the topics named, in batches', async () => {
      const cut = Math.floor(fixture.first + (fixture.last - fixture.first) / 2);
      const category = fixture.categories[0] ?? '';
      const expected = fixture.messages.filter((message) => message.envelope.time < cut && message.category === category).length;
      const result = await store.prune({ before: cut, categories: [category] }, { batchSize: 7 });
      expect(result.deleted).toBe(expected);
      expect(result.batches).toBe(Math.ceil(expected / 7));
      expect((await store.count({ categories: [category], end: cut })).count).toBe(0);
      expect((await store.stats()).total).toBe(fixture.messages.length - expected);
      const topicPattern = `${fixture.topics[1]?.split('.').slice(0, -1).join('.') ?? ''}.#`;
      const byTopic = await store.prune({ before: fixture.last + 1, topics: [topicPattern] });
      expect(byTopic.deleted).toBeGreaterThan(0);
      expect((await store.count({ topics: [topicPattern] })).count).toBe(0);
    });
  });

  describe('.backup', () => {
    it('should copy the archive while messages go on being archived, and the copy should open and hold a consistent prefix', async () => {
      const more = makeStoreFixture({ count: 2000, seed: 7 }).messages.map((message, index) => ({ ...message, envelope: { ...message.envelope, id: `more-${index}` } }));
      let written = 0;
      const writing = (async () => {
        for (let offset = 0; offset < more.length; offset += 50) {
          await store.insertMany(more.slice(offset, offset + 50));
          written += 50;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const file = join(dir, 'backup.db');
      await store.backup(file);
      await writing;
      expect(written).toBe(more.length);
      const copy = new SqliteMessageStore(file);
      await copy.init();
      try {
        const total = (await copy.stats()).total;
        expect(total).toBeGreaterThanOrEqual(fixture.messages.length);
        // A prefix: every message of the copy is the archive's, in the archive's order, with none missing before its last.
        const head = Number(await copy.changesHead());
        expect((await copy.count({})).count).toBe(total);
        const batch = await store.changes(undefined, 1000);
        const copied = await copy.changes(undefined, 1000);
        expect(copied.changes.map((change) => change.message.envelope.id)).toEqual(batch.changes.slice(0, copied.changes.length).map((change) => change.message.envelope.id));
        expect(head).toBeLessThanOrEqual(Number(await store.changesHead()));
      } finally {
        await copy.close();
      }
    });
  });
});
