import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Query } from 'mingo';
import type { MessageQuery } from '@statbus/core';
import { makeStoreFixture, storeQueryCases } from '@statbus/testing';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { encodeCursor } from '../query/keyset-cursor.js';
import { toMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { toMongoFilter, type MongoQueryPlan } from './to-mongo-filter.js';

// mingo is an independent implementation of MongoDB's query language: evaluating the documents that
// toMongoFilter builds over the fixture, stored as MongoMessageStore stores it, proves what they mean.
const fixture = makeStoreFixture();
const documents: MongoMessageDocument[] = fixture.messages.map(toMongoDocument);
const now = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'statbus-mingo-'));
const sqlite = new SqliteMessageStore(join(dir, 'archive.db'));

function runWithMingo(plan: MongoQueryPlan, useSkip = true): { ids: string[]; total: number } {
  const total = new Query(plan.filter, {}).find(documents).all().length;
  const cursor = new Query(plan.pageFilter, {}).find<MongoMessageDocument>(documents).sort(plan.sort);
  const page = (useSkip ? cursor.skip(plan.skip) : cursor).limit(plan.rowsPerPage).all();
  return { ids: page.map((document) => document._id), total };
}

beforeAll(async () => {
  await sqlite.init();
  await sqlite.insertMany(fixture.messages);
});
afterAll(async () => {
  try {
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe(toMongoFilter, () => {
  describe.each(storeQueryCases(fixture))('when mingo evaluates the filter of: $name', ({ query }) => {
    it('should select the same ids, in the same order, with the same total as SQLite', async () => {
      const fromSqlite = await sqlite.find(query);
      const fromMingo = runWithMingo(toMongoFilter(query, now));
      expect(fromMingo).toEqual({ ids: fromSqlite.messages.map((m) => m.envelope.id), total: fromSqlite.total });
    });
  });

  describe.each([
    { name: 'newest first, 97 rows', query: { rowsPerPage: 97 } },
    { name: 'a category and a user, ascending', query: { categories: ['koji', 'bodhi'], users: [fixture.users[0] ?? ''], order: 'asc', rowsPerPage: 7 } },
    { name: 'notContains, 250 rows', query: { notContains: ['lgtm'], rowsPerPage: 250 } },
  ] satisfies { name: string; query: MessageQuery }[])('when walking by cursor ($name)', ({ query }) => {
    it('should give the pages SQLite gives', async () => {
      let sqliteCursor: string | undefined;
      for (let pageNumber = 1; pageNumber < 1000; pageNumber += 1) {
        const fromSqlite = await sqlite.find(sqliteCursor === undefined ? query : { ...query, cursor: sqliteCursor });
        const plan = toMongoFilter(sqliteCursor === undefined ? query : { ...query, cursor: sqliteCursor }, now);
        expect(runWithMingo(plan, sqliteCursor === undefined).ids).toEqual(fromSqlite.messages.map((m) => m.envelope.id));
        expect(plan.page).toBe(pageNumber);
        if (fromSqlite.nextCursor === undefined) return;
        sqliteCursor = fromSqlite.nextCursor;
      }
      throw new Error('walk did not end');
    });
  });

  describe('when the cursor points between two messages of the same millisecond', () => {
    it('should break the tie by id', () => {
      const sorted = [...documents].sort((a, b) => a.time - b.time || (a._id < b._id ? -1 : 1));
      const index = sorted.findIndex((d, i) => i > 0 && sorted[i - 1]?.time === d.time);
      const before = sorted[index - 1] as MongoMessageDocument;
      const cursor = encodeCursor({ order: 'asc' }, { time: before.time, id: before._id, page: 2, window: {} });
      const plan = toMongoFilter({ order: 'asc', rowsPerPage: 1, cursor }, now);
      expect(runWithMingo(plan, false).ids).toEqual([sorted[index]?._id]);
    });
  });
});
