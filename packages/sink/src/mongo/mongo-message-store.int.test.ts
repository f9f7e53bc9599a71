import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { describeMaintenanceContract, describeStoreContract, makeStoreFixture } from '@statbus/testing';
import { toMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { MongoMessageStore } from './mongo-message-store.js';

// Packages never read the environment; tests may: MONGODB_URL names the server (docker-compose's mongodb).
const url = process.env['MONGODB_URL'];
const databases: string[] = [];

describe.skipIf(url === undefined)('MongoMessageStore against a real server (set MONGODB_URL)', () => {
  afterAll(async () => {
    const client = new MongoClient(url ?? '');
    try {
      await client.connect();
      for (const name of databases) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  });

  describeStoreContract('MongoMessageStore (contract)', () => {
    const database = `statbus_test_${randomUUID().slice(0, 8)}`;
    databases.push(database);
    return Promise.resolve(new MongoMessageStore(url ?? '', { database }));
  });

  describe('when documents were stored with their text lower-cased (before contains was case-sensitive)', () => {
    it('should rewrite their text at init, reporting progress, so that a case-sensitive contains finds them', async () => {
      const database = `statbus_test_${randomUUID().slice(0, 8)}`;
      databases.push(database);
      const messages = makeStoreFixture({ count: 30 }).messages.map((message) => ({ ...message, envelope: { ...message.envelope, body: { note: 'Works for ME' } } }));
      const client = new MongoClient(url ?? '');
      try {
        await client.connect();
        const old = messages.map(toMongoDocument).map((document) => ({ ...document, text: document.text.toLowerCase() }));
        await client.db(database).collection<MongoMessageDocument>('messages').insertMany(old);
      } finally {
        await client.close();
      }
      const progress: number[] = [];
      const store = new MongoMessageStore(url ?? '', { database, onMigrationProgress: ({ rewritten }) => progress.push(rewritten) });
      try {
        await store.init();
        expect(progress).toEqual([30]);
        expect((await store.count({ contains: ['ME'] })).count).toBe(30);
        expect((await store.count({ contains: ['me'] })).count).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  // Delete, redact and prune against the real server: the same contract as SQLite's.
  describeMaintenanceContract('MongoMessageStore', () => {
    const database = `statbus_test_${randomUUID().slice(0, 8)}`;
    databases.push(database);
    return Promise.resolve(new MongoMessageStore(url ?? '', { database }));
  });
});

describe(MongoMessageStore, () => {
  describe('.init', () => {
    describe('when no server answers', () => {
      it('should reject with a retryable StoreError', async () => {
        const store = new MongoMessageStore('mongodb://127.0.0.1:1/statbus', { client: { serverSelectionTimeoutMS: 200 } });
        try {
          await expect(store.init()).rejects.toMatchObject({ code: 'ERR_STORE', retryable: true });
        } finally {
          await store.close();
        }
      });
    });
  });
  describe('.find', () => {
    describe('when init was not called', () => {
      it('should reject with a non-retryable StoreError', async () => {
        const store = new MongoMessageStore('mongodb://127.0.0.1:1/statbus');
        await expect(store.find({})).rejects.toMatchObject({ code: 'ERR_STORE', retryable: false });
      });
    });
  });
});
