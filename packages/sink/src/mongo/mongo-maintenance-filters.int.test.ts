import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Query } from 'mingo';
import type { ArchivedMessage, RetentionSelection } from '@statbus/core';
import { makeStoreFixture } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { toMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { bucketFilter, pruneFilter, redactionUpdate } from './mongo-maintenance-filters.js';
import { mongodumpError } from './mongo-maintenance.js';

// mingo evaluates the filter documents the MongoDB store's maintenance builds, over the same fixture the SQLite store
// prunes for real: the two must remove the same messages.
const fixture = makeStoreFixture({ count: 1200, seed: 99 });
const documents: MongoMessageDocument[] = fixture.messages.map(toMongoDocument);
const dir = mkdtempSync(join(tmpdir(), 'statbus-mingo-maintenance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const middle = [...fixture.messages].map((message) => message.envelope.time).sort((a, b) => a - b)[600] ?? 0;
const [firstCategory = '', secondCategory = ''] = fixture.categories;
const sampleTopic = fixture.messages[0]?.envelope.topic ?? '';

let stores = 0;
async function prunedBySqlite(selection: RetentionSelection): Promise<string[]> {
  const store = new SqliteMessageStore(join(dir, `archive-${(stores += 1)}.db`));
  await store.init();
  try {
    await store.insertMany(fixture.messages);
    const before = new Set(fixture.messages.map((message) => message.envelope.id));
    await store.prune(selection, { batchSize: 100 });
    const left = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.find({ rowsPerPage: 1000, ...(cursor === undefined ? {} : { cursor }) });
      for (const message of page.messages) left.add(message.envelope.id);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return [...before].filter((id) => !left.has(id)).sort();
  } finally {
    await store.close();
  }
}

describe(pruneFilter, () => {
  describe.each([
    { name: 'by time only', selection: { before: middle } },
    { name: 'by time and category', selection: { before: middle, categories: [firstCategory] } },
    { name: 'by time and topic patterns', selection: { before: middle, topics: [`${sampleTopic.split('.').slice(0, 3).join('.')}.*.#`, sampleTopic] } },
    { name: 'by time, a pattern of only # and two categories', selection: { before: middle, topics: ['#'], categories: [firstCategory, secondCategory] } },
    { name: 'before everything', selection: { before: 0 } },
  ] satisfies { name: string; selection: RetentionSelection }[])('when mingo evaluates the prune filter $name', ({ selection }) => {
    it('should select exactly what the SQLite store prunes', async () => {
      const selected = new Query(pruneFilter(selection), {}).find<MongoMessageDocument>(documents).all().map((document) => document._id);
      expect(selected.sort()).toEqual(await prunedBySqlite(selection));
    });
  });
});

describe(bucketFilter, () => {
  describe('when mingo evaluates it for a bucket of a plugin keyed by topic', () => {
    it('should select the messages of that topic in that bucket, and only them', () => {
      const hour = 3_600_000;
      const message = fixture.messages[7] as ArchivedMessage;
      const bucket = message.envelope.time - (message.envelope.time % hour);
      const expected = fixture.messages
        .filter((candidate) => candidate.envelope.topic === message.envelope.topic && candidate.envelope.time >= bucket && candidate.envelope.time < bucket + hour)
        .map((candidate) => candidate.envelope.id)
        .sort();
      const selected = new Query(bucketFilter({ bucket, key: message.envelope.topic }, hour, 'topic'), {}).find<MongoMessageDocument>(documents).all().map((document) => document._id);
      expect(selected.sort()).toEqual(expected);
      expect(expected).toContain(message.envelope.id);
    });
  });
});

describe(redactionUpdate, () => {
  describe('when the redacted message lost its agent and signature', () => {
    it('should set the new content and keys and unset signature, verified and agent', () => {
      const message = fixture.messages.find((candidate) => candidate.agent !== undefined) as ArchivedMessage;
      const { agent: _agent, ...withoutAgent } = message;
      const update = redactionUpdate({ ...withoutAgent, users: [], envelope: { ...message.envelope, body: { redacted: true } } });
      expect(update).toEqual({
        $set: { headers: message.envelope.headers, body: { redacted: true }, text: expect.any(String) as string, users: [], packages: message.packages },
        $unset: { signature: '', verified: '', agent: '' },
      });
    });
  });
});

describe(mongodumpError, () => {
  describe('when the URL carries a password', () => {
    it("should give mongodump's command without the password, as a non-retryable StoreError", () => {
      const error = mongodumpError('mongodb://statbus:secret@db.example:27017/archive', 'archive', '/backups/statbus.gz');
      expect(error).toMatchObject({ code: 'ERR_STORE', retryable: false });
      expect(error.message).toContain('mongodump --uri="mongodb://statbus:');
      expect(error.message).toContain('--db=archive --archive=/backups/statbus.gz --gzip');
      expect(error.message).not.toContain('secret');
    });
  });
});
