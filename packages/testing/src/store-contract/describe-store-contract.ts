import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchivedMessage, MessageQuery, MessageStore, TopicSummary } from '@statbus/core';
import { describeChangeFeed } from './describe-change-feed.js';
import { describeRollups } from './describe-rollups.js';
import { compareMessages, referenceFind, referencePage } from './reference-find.js';
import { FIXTURE_PREFIX, FIXTURE_START, makeStoreFixture, type StoreFixture } from './store-fixture.js';
import { storeQueryCases } from './store-query-cases.js';

/** Makes a new, empty store (not yet initialised). The suite initialises and closes every store it makes. */
export type StoreFactory = () => Promise<MessageStore>;

const INSERT_BATCH = 500;

function idsOf(messages: readonly ArchivedMessage[]): string[] {
  return messages.map((message) => message.envelope.id);
}

function referenceTopics(fixture: StoreFixture, filter: (message: ArchivedMessage) => boolean = () => true): TopicSummary[] {
  const summaries = new Map<string, TopicSummary>();
  for (const message of fixture.messages) {
    const { topic, time } = message.envelope;
    const seen = summaries.get(topic);
    summaries.set(topic, {
      topic,
      category: message.category,
      count: (seen?.count ?? 0) + 1,
      firstSeen: Math.min(seen?.firstSeen ?? time, time),
      lastSeen: Math.max(seen?.lastSeen ?? time, time),
    });
  }
  return [...summaries.values()].filter((summary) => fixture.messages.some((m) => m.envelope.topic === summary.topic && filter(m))).sort((a, b) => (a.topic < b.topic ? -1 : 1));
}

async function walkByCursor(store: MessageStore, query: MessageQuery): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const page = await store.find(cursor === undefined ? query : { ...query, cursor });
    ids.push(...idsOf(page.messages));
    pages.push(page.page);
    if (page.nextCursor === undefined) return { ids, pages };
    cursor = page.nextCursor;
  }
  throw new Error('cursor walk did not end');
}

async function insertAll(store: MessageStore, messages: readonly ArchivedMessage[]): Promise<{ inserted: number; duplicates: number }> {
  let inserted = 0;
  let duplicates = 0;
  for (let offset = 0; offset < messages.length; offset += INSERT_BATCH) {
    const result = await store.insertMany(messages.slice(offset, offset + INSERT_BATCH));
    inserted += result.inserted.length;
    duplicates += result.duplicates.length;
  }
  return { inserted, duplicates };
}

/**
 * The contract every {@link MessageStore} passes, run against a deterministic fixture
 * ({@link makeStoreFixture}) with expectations computed by a plain TypeScript reference filter.
 * Call it at the top level of a test file; `factory` is called once for the shared, read-only store and
 * once more for each test that writes.
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(name, () => {
    const fixture = makeStoreFixture();
    const now = Date.now();
    let store: MessageStore;
    let firstInsert: { inserted: number; duplicates: number };

    const withFreshStore = async (use: (fresh: MessageStore) => Promise<void>): Promise<void> => {
      const fresh = await factory();
      try {
        await fresh.init();
        await use(fresh);
      } finally {
        await fresh.close();
      }
    };

    beforeAll(async () => {
      store = await factory();
      await store.init();
      await store.init();
      firstInsert = await insertAll(store, fixture.messages);
    });
    afterAll(async () => {
      await store?.close();
    });

    describe('.insertMany', () => {
      it('should insert every new message', () => {
        expect(firstInsert).toEqual({ inserted: fixture.messages.length, duplicates: 0 });
      });
      describe('when the messages are stored already', () => {
        it('should report them as duplicates and change nothing', async () => {
          const again = fixture.messages.slice(100, 400);
          const result = await store.insertMany(again);
          expect(result.inserted).toEqual([]);
          expect([...result.duplicates].sort()).toEqual(idsOf(again).sort());
          expect((await store.count({})).count).toBe(fixture.messages.length);
        });
      });
      describe('when a batch mixes new, stored and repeated messages', () => {
        it('should store each id once', async () => {
          await withFreshStore(async (fresh) => {
            const [a, b, c] = fixture.messages as [ArchivedMessage, ArchivedMessage, ArchivedMessage];
            expect(await fresh.insertMany([a])).toEqual({ inserted: [a.envelope.id], duplicates: [] });
            const result = await fresh.insertMany([a, b, c, b]);
            expect([...result.inserted].sort()).toEqual([b.envelope.id, c.envelope.id].sort());
            expect([...result.duplicates].sort()).toEqual([a.envelope.id, b.envelope.id].sort());
            expect(await fresh.count({})).toEqual({ count: 3, exact: true });
            expect((await fresh.stats()).total).toBe(3);
          });
        });
      });
      describe('when the batch is empty', () => {
        it('should do nothing', async () => {
          expect(await store.insertMany([])).toEqual({ inserted: [], duplicates: [] });
        });
      });
      describe('when messages carry their verification result', () => {
        it('should keep verified: true, and give back no verified field for the others', async () => {
          await withFreshStore(async (fresh) => {
            const [a, b] = fixture.messages as [ArchivedMessage, ArchivedMessage];
            await fresh.insertMany([{ ...a, verified: true }, { ...b, verified: false }]);
            expect(await fresh.get(a.envelope.id)).toEqual({ ...a, verified: true });
            expect(await fresh.get(b.envelope.id)).toEqual(b);
            const page = await fresh.find({ rowsPerPage: 10, page: 1 });
            expect(page.messages.find((message) => message.envelope.id === a.envelope.id)?.verified).toBe(true);
          });
        });
      });
    });

    describe('.find', () => {
      const cases = storeQueryCases(fixture);
      describe.each(cases)('when the query is: $name', ({ query }) => {
        it('should return the reference page, total and pages', async () => {
          const expected = referencePage(fixture.messages, query, now);
          const page = await store.find(query);
          expect(idsOf(page.messages)).toEqual(expected.ids);
          expect({ total: page.total, pages: page.pages, page: page.page, rowsPerPage: page.rowsPerPage }).toEqual({
            total: expected.total,
            pages: expected.pages,
            page: query.page ?? 1,
            rowsPerPage: query.rowsPerPage ?? 25,
          });
          expect(page.nextCursor !== undefined).toBe((query.page ?? 1) * page.rowsPerPage < expected.total);
        });
      });

      describe('when a message is returned', () => {
        it('should hold the archived message as stored', async () => {
          const page = await store.find({ rowsPerPage: 1000 });
          const byId = new Map(fixture.messages.map((message) => [message.envelope.id, message]));
          for (const message of page.messages) expect(message).toEqual(byId.get(message.envelope.id));
        });
      });

      describe('when bounds fall on a message time', () => {
        it('should include start and exclude end', async () => {
          const message = fixture.messages[42] as ArchivedMessage;
          const at = message.envelope.time;
          const from = await store.find({ start: at, end: at + 1, rowsPerPage: 1000 });
          expect(idsOf(from.messages)).toContain(message.envelope.id);
          const until = await store.find({ start: at - 1000, end: at, rowsPerPage: 1000 });
          expect(idsOf(until.messages)).not.toContain(message.envelope.id);
        });
      });

      describe.each([
        { name: 'no filter, 137 rows, newest first', query: { rowsPerPage: 137 } },
        { name: 'no filter, ascending, 1000 rows', query: { order: 'asc', rowsPerPage: 1000 } },
        { name: 'a user, ascending, 9 rows', query: { users: [fixture.users[1] ?? ''], order: 'asc', rowsPerPage: 9 } },
        { name: 'a category and contains, 20 rows', query: { categories: ['bodhi'], contains: ['f4'], rowsPerPage: 20 } },
        { name: 'a topic pattern in a delta window', query: { topics: [`${FIXTURE_PREFIX}.*.build.#`], end: FIXTURE_START + 90 * 86_400_000, delta: 60 * 86_400_000, rowsPerPage: 33 } },
      ] satisfies { name: string; query: MessageQuery }[])('when walking every page by cursor ($name)', ({ query }) => {
        it('should return exactly the one-big-query result, pages numbered on', async () => {
          const { ids, pages } = await walkByCursor(store, query);
          expect(ids).toEqual(idsOf(referenceFind(fixture.messages, query, now)));
          expect(pages).toEqual(pages.map((_, index) => index + 1));
        });
      });

      describe('when a cursor and a page are both given', () => {
        it('should follow the cursor', async () => {
          const first = await store.find({ categories: ['koji'], rowsPerPage: 10 });
          const byCursor = await store.find({ categories: ['koji'], rowsPerPage: 10, page: 9, cursor: first.nextCursor ?? '' });
          expect(idsOf(byCursor.messages)).toEqual(referencePage(fixture.messages, { categories: ['koji'], rowsPerPage: 10, page: 2 }).ids);
          expect(byCursor.page).toBe(2);
        });
      });

      describe('when the query is bad', () => {
        it.each([
          { why: 'an unknown field', query: { limit: 10 }, field: 'limit' },
          { why: 'end before start', query: { start: 2000, end: 1000 }, field: 'end' },
          { why: 'rowsPerPage 0', query: { rowsPerPage: 0 }, field: 'rowsPerPage' },
          { why: 'rowsPerPage over the maximum', query: { rowsPerPage: 1001 }, field: 'rowsPerPage' },
          { why: 'page 0', query: { page: 0 }, field: 'page' },
          { why: 'a topic pattern with a bad wildcard', query: { topics: ['org.fedoraproject.prod.ko*ji'] }, field: 'topics' },
          { why: 'a malformed cursor', query: { cursor: 'not a cursor!' }, field: 'cursor' },
          { why: 'a base64url cursor that is not ours', query: { cursor: Buffer.from('{"v":2}').toString('base64url') }, field: 'cursor' },
        ])('should reject $why with a QueryError naming $field', async ({ query, field }) => {
          await expect(store.find(query as MessageQuery)).rejects.toMatchObject({ code: 'ERR_QUERY', field });
          await expect(store.count(query as MessageQuery)).rejects.toMatchObject({ code: 'ERR_QUERY' });
        });
        it('should reject a cursor made by another query with a QueryError naming cursor', async () => {
          const first = await store.find({ categories: ['koji'], rowsPerPage: 10 });
          expect(first.nextCursor).toBeDefined();
          await expect(store.find({ categories: ['copr'], rowsPerPage: 10, cursor: first.nextCursor ?? '' })).rejects.toMatchObject({
            code: 'ERR_QUERY',
            field: 'cursor',
          });
          await expect(store.find({ categories: ['koji'], order: 'asc', cursor: first.nextCursor ?? '' })).rejects.toMatchObject({
            field: 'cursor',
          });
        });
      });
    });

    describe('.get', () => {
      it('should return the stored message by id', async () => {
        for (const message of fixture.messages.slice(0, 50)) expect(await store.get(message.envelope.id)).toEqual(message);
      });
      it('should return undefined for an unknown id', async () => {
        expect(await store.get('2024-00000000-0000-4000-a000-000000000000')).toBeUndefined();
      });
    });

    describe('.count', () => {
      it.each(storeQueryCases(fixture).filter((c) => c.query.page === undefined).slice(0, 30))(
        'should count exactly what the reference matches ($name)',
        async ({ query }) => {
          expect(await store.count(query)).toEqual({ count: referenceFind(fixture.messages, query, now).length, exact: true });
        },
      );
      describe('when an estimate is allowed and nothing filters', () => {
        it('should return the number of messages', async () => {
          expect((await store.count({}, { estimate: true })).count).toBe(fixture.messages.length);
        });
      });
    });

    describe('.topics', () => {
      it('should list every topic with its count, first and last seen, sorted by topic', async () => {
        expect(await store.topics()).toEqual(referenceTopics(fixture));
      });
      describe('when filtered by categories and time', () => {
        it('should list the topics of those categories seen in the window', async () => {
          const start = FIXTURE_START + 30 * 86_400_000;
          const end = start + 86_400_000;
          const expected = referenceTopics(fixture).filter(
            (t) => ['bodhi', 'koji'].includes(t.category) && t.lastSeen >= start && t.firstSeen < end,
          );
          expect(await store.topics({ categories: ['bodhi', 'koji'], start, end })).toEqual(expected);
          expect(expected.length).toBeGreaterThan(0);
        });
      });
      describe('when the filter is bad', () => {
        it('should reject an unknown field with a QueryError naming it', async () => {
          await expect(store.topics({ category: 'x' } as never)).rejects.toMatchObject({ code: 'ERR_QUERY', field: 'category' });
        });
      });
    });

    describe('.stats', () => {
      it('should total the messages by category and topic, with first and last times', async () => {
        const byCategory: Record<string, number> = {};
        const byTopic: Record<string, number> = {};
        for (const message of fixture.messages) {
          byCategory[message.category] = (byCategory[message.category] ?? 0) + 1;
          byTopic[message.envelope.topic] = (byTopic[message.envelope.topic] ?? 0) + 1;
        }
        expect(await store.stats()).toEqual({ total: fixture.messages.length, byCategory, byTopic, first: fixture.first, last: fixture.last });
      });
      describe('when the store is empty', () => {
        it('should report zero and no times', async () => {
          await withFreshStore(async (fresh) => {
            expect(await fresh.stats()).toEqual({ total: 0, byCategory: {}, byTopic: {} });
            expect((await fresh.find({})).messages).toEqual([]);
          });
        });
      });
    });

    describeChangeFeed(fixture, withFreshStore);
    describe('rollups', () => describeRollups(fixture, () => store, withFreshStore));

    it('orders ties in time by id', () => {
      const tied = [...fixture.messages].sort(compareMessages('asc'));
      expect(tied.some((m, i) => i > 0 && tied[i - 1]?.envelope.time === m.envelope.time)).toBe(true);
    });
  });
}
