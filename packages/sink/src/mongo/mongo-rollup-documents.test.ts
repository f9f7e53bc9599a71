import { describe, expect, it } from 'vitest';
import { Query, aggregate, updateMany } from 'mingo';
import type { RollupCell } from '@statbus/core';
import { makeStoreFixture, referenceMatches, storeQueryCases } from '@statbus/testing';
import { toMongoDocument } from './mongo-document.js';
import { rollupCellWrite, rollupGroupsBetweenFilter, rollupGroupsPipeline, rollupRangeFilter, seriesPipeline, topRollupsPipeline, type MongoRollupDocument } from './mongo-rollup-documents.js';

// mingo, an independent implementation of MongoDB's query and update language, evaluates the documents built here.
type Doc = MongoRollupDocument & Record<string, unknown>;

/** An update: operators by mingo's updater; a pipeline by mingo's aggregation (MongoDB runs update pipelines as such). */
function apply(doc: Doc, update: Record<string, unknown> | Record<string, unknown>[]): void {
  if (Array.isArray(update)) {
    const [next] = aggregate([doc], update) as Doc[];
    Object.assign(doc, next);
    return;
  }
  // $setOnInsert does nothing to a matched document (and mingo does not know it).
  updateMany([doc], {}, Object.fromEntries(Object.entries(update).filter(([operator]) => operator !== '$setOnInsert')) as never);
}

/** One upsert as MongoDB runs it: update the match, else insert from the filter's `_id` (a duplicate `_id` fails). */
function upsert(collection: Doc[], cell: RollupCell, batch?: string): 'updated' | 'inserted' | 'duplicate' {
  const write = rollupCellWrite(cell, batch);
  const matched = new Query(write.filter).find<Doc>(collection).all();
  if (matched.length > 0) {
    for (const doc of matched) apply(doc, write.update);
    return 'updated';
  }
  const id = write.filter['_id'] as string;
  if (collection.some((doc) => doc._id === id)) return 'duplicate';
  const doc = { _id: id } as Doc;
  if (!Array.isArray(write.update)) Object.assign(doc, write.update['$setOnInsert']);
  apply(doc, write.update);
  collection.push(doc);
  return 'inserted';
}

const cell = (partial: Partial<RollupCell>): RollupCell => ({ plugin: 'p', interval: '1h', bucket: 0, key: 'k', field: 'count', op: 'add', value: 1, ...partial });

describe(rollupCellWrite, () => {
  describe('when an add of a batch is written again (a batch finished after a crash)', () => {
    it('should add it once', () => {
      const collection: Doc[] = [];
      expect(upsert(collection, cell({ value: 2 }), 'b1')).toBe('inserted');
      expect(upsert(collection, cell({ value: 2 }), 'b1')).toBe('duplicate');
      expect(upsert(collection, cell({ value: 3 }), 'b2')).toBe('updated');
      expect(upsert(collection, cell({ value: 3 }), 'b2')).toBe('duplicate');
      expect(upsert(collection, cell({ value: 5 }))).toBe('updated');
      expect(collection).toMatchObject([{ p: 'p', i: '1h', b: 0, k: 'k', f: 'count', v: 10, applied: ['b1', 'b2'] }]);
    });
  });
  describe('when max values arrive in any order', () => {
    it('should keep the larger value, then the larger text', () => {
      const orders = [
        [[5, 'b'], [5, 'c'], [4, 'z']],
        [[4, 'z'], [5, 'c'], [5, 'b']],
        [[5, 'c'], [4, 'z'], [5, 'b']],
      ] as const;
      for (const order of orders) {
        const collection: Doc[] = [];
        for (const [value, text] of order) upsert(collection, cell({ op: 'max', field: 'latest', value, text }));
        expect(collection).toMatchObject([{ v: 5, t: 'c', p: 'p', f: 'latest' }]);
      }
    });
  });
});

describe(rollupRangeFilter, () => {
  it('should select by plugin, interval, bucket range, keys and fields, and topRollupsPipeline rank the keys', () => {
    const docs = [0, 1, 2, 3].flatMap((hour) =>
      ['a', 'b', 'c'].map((key, index) => ({ _id: `${hour}${key}`, p: 'p', i: '1h', b: hour * 3_600_000, k: key, f: 'count', v: index + hour })),
    );
    const found = new Query(rollupRangeFilter({ plugin: 'p', interval: '1h', start: 3_600_000, end: 3 * 3_600_000, keys: ['a', 'c'], fields: ['count'] })).find<Doc>(docs).all();
    expect(found.map((doc) => doc._id).sort()).toEqual(['1a', '1c', '2a', '2c']);
    expect(aggregate(docs, topRollupsPipeline({ plugin: 'p', interval: '1h', field: 'count', limit: 2 }))).toEqual([
      { _id: 'c', value: 14 },
      { _id: 'b', value: 10 },
    ]);
  });
});

describe(seriesPipeline, () => {
  const fixture = makeStoreFixture({ count: 800 });
  const documents = fixture.messages.map(toMongoDocument);
  const now = Date.now();
  const cases = storeQueryCases(fixture).filter(({ query }) => query.cursor === undefined && query.delta === undefined).slice(0, 12);
  it.each(cases)('should count per day as the reference for: $name', ({ query }) => {
    const day = 86_400_000;
    const expected = new Map<number, number>();
    for (const message of fixture.messages) {
      if (!referenceMatches(message, query, now)) continue;
      const bucket = message.envelope.time - (message.envelope.time % day);
      expected.set(bucket, (expected.get(bucket) ?? 0) + 1);
    }
    const rows = aggregate(documents, seriesPipeline(query, day)) as { _id: number; count: number }[];
    expect(new Map(rows.map((row) => [row._id, row.count]))).toEqual(expected);
  });
  it('should reject a bad interval with a QueryError naming it', () => {
    expect(() => seriesPipeline({}, 0)).toThrow(expect.objectContaining({ field: 'interval' }) as Error);
  });
});

describe('rollupGroupsPipeline and rollupGroupsBetweenFilter', () => {
  it('should count the (bucket, key) groups, cut a page of them either way, and select exactly its values', () => {
    const docs: Doc[] = [0, 1, 2, 3].flatMap((b) =>
      ['b', 'a'].flatMap((k) => ['count', ...(k === 'a' ? ['latest'] : [])].map((f): Doc => ({ _id: `${b}${k}${f}`, p: 'p', i: '1h', b, k, f, v: b }))),
    );
    docs.push({ _id: 'other', p: 'p', i: '1m', b: 1, k: 'a', f: 'count', v: 9 });
    const range = { plugin: 'p', interval: '1h', start: 1 };
    expect(aggregate(docs, rollupGroupsPipeline(range))).toEqual([{ groups: 6 }]);
    for (const order of ['asc', 'desc'] as const) {
      const bounds = aggregate(docs, rollupGroupsPipeline(range, { offset: 1, limit: 3, order })) as unknown as { _id: { b: number; k: string } }[];
      const expected = order === 'asc' ? [[1, 'b'], [2, 'a'], [2, 'b']] : [[3, 'a'], [2, 'b'], [2, 'a']];
      expect(bounds.map(({ _id }) => [_id.b, _id.k])).toEqual(expected);
      const [low, high] = order === 'asc' ? [bounds[0]?._id, bounds[2]?._id] : [bounds[2]?._id, bounds[0]?._id];
      if (low === undefined || high === undefined) throw new Error('no bounds');
      const selected = new Query(rollupGroupsBetweenFilter(range, low, high)).find(docs).all() as Doc[];
      expect(selected.map((d) => `${d.b}${d.k}${d.f}`).sort()).toEqual(expected.flatMap(([b, k]) => (k === 'a' ? [`${b}acount`, `${b}alatest`] : [`${b}bcount`])).sort());
    }
  });
});
