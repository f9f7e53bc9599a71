import { describe, expect, it } from 'vitest';
import { hasRollups, type MessageStore, type RollupCell, type RollupMessageStore } from '@statbus/core';
import { referenceMatches } from './reference-find.js';
import type { StoreFixture } from './store-fixture.js';
import { storeQueryCases } from './store-query-cases.js';

const HOUR = 3_600_000;

function cell(partial: Partial<RollupCell> & Pick<RollupCell, 'bucket' | 'value'>): RollupCell {
  return { plugin: 'p', interval: '1h', key: '', field: 'count', op: 'add', ...partial };
}

function referenceSeries(fixture: StoreFixture, query: Parameters<MessageStore['find']>[0], intervalMs: number, now: number): { bucket: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const message of fixture.messages) {
    if (!referenceMatches(message, query, now)) continue;
    const bucket = message.envelope.time - (message.envelope.time % intervalMs);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, count]) => ({ bucket, count }));
}

/**
 * The rollup part of the store contract ({@link RollupStore}): cells add up or keep their maximum, the positions'
 * compare-and-set guards each batch, ranges, top keys, pruning, resets, and `countSeries` against the reference.
 * `store` holds the whole fixture; `withFreshStore` gives an initialised, empty store.
 */
export function describeRollups(
  fixture: StoreFixture,
  shared: () => MessageStore,
  withFreshStore: (use: (fresh: MessageStore) => Promise<void>) => Promise<void>,
): void {
  const withRollups = (use: (fresh: RollupMessageStore) => Promise<void>): Promise<void> =>
    withFreshStore(async (fresh) => {
      expect(hasRollups(fresh)).toBe(true);
      if (hasRollups(fresh)) await use(fresh);
    });

  describe('.applyRollups', () => {
    describe('when cells of several batches meet', () => {
      it('should sum add cells and keep the larger value (then text) of max cells, whatever the order', async () => {
        await withRollups(async (fresh) => {
          const latest = (value: number, text: string): RollupCell => cell({ bucket: 0, value, text, op: 'max', field: 'latest' });
          expect(await fresh.applyRollups([cell({ bucket: 0, value: 2 }), latest(5, 'b')], [])).toBe(true);
          expect(await fresh.applyRollups([cell({ bucket: 0, value: 3 }), latest(5, 'a'), cell({ bucket: HOUR, value: 1, key: 'k' })], [])).toBe(true);
          expect(await fresh.applyRollups([latest(4, 'z'), latest(5, 'c')], [])).toBe(true);
          expect(await fresh.readRollups({ plugin: 'p', interval: '1h' })).toEqual([
            { bucket: 0, key: '', field: 'count', value: 5 },
            { bucket: 0, key: '', field: 'latest', value: 5, text: 'c' },
            { bucket: HOUR, key: 'k', field: 'count', value: 1 },
          ]);
        });
      });
    });
    describe('when the positions move by compare-and-set', () => {
      it('should write a batch only from the saved position, and nothing at all when one advance is stale', async () => {
        await withRollups(async (fresh) => {
          expect(await fresh.rollupPositions()).toEqual({});
          expect(await fresh.applyRollups([cell({ bucket: 0, value: 1 })], [{ plugin: 'p', from: undefined, to: '10' }])).toBe(true);
          expect(await fresh.applyRollups([cell({ bucket: 0, value: 1 })], [{ plugin: 'p', from: undefined, to: '10' }])).toBe(false);
          expect(await fresh.applyRollups([cell({ bucket: 0, value: 1 })], [{ plugin: 'q', from: undefined, to: '20' }, { plugin: 'p', from: '9', to: '20' }])).toBe(false);
          expect(await fresh.applyRollups([cell({ bucket: 0, value: 4 })], [{ plugin: 'p', from: '10', to: '20' }, { plugin: 'q', from: undefined, to: '20' }])).toBe(true);
          expect(await fresh.rollupPositions()).toEqual({ p: { position: '20' }, q: { position: '20' } });
          expect(await fresh.readRollups({ plugin: 'p', interval: '1h' })).toEqual([{ bucket: 0, key: '', field: 'count', value: 5 }]);
        });
      });
    });
    describe('when two writers race from the same position', () => {
      it('should let exactly one of them write', async () => {
        await withRollups(async (fresh) => {
          const results = await Promise.all(
            Array.from({ length: 4 }, () => fresh.applyRollups([cell({ bucket: 0, value: 1 })], [{ plugin: 'p', from: undefined, to: '5' }])),
          );
          expect(results.filter(Boolean)).toHaveLength(1);
          expect(await fresh.readRollups({ plugin: 'p', interval: '1h' })).toEqual([{ bucket: 0, key: '', field: 'count', value: 1 }]);
        });
      });
    });
  });

  describe('.readRollups, .topRollups, .pruneRollups and .resetRollups', () => {
    it('should select by range and keys, rank keys, prune old buckets and reset from a time', async () => {
      await withRollups(async (fresh) => {
        const cells = [0, 1, 2, 3].flatMap((hour) => [
          cell({ bucket: hour * HOUR, key: 'a', value: 1 }),
          cell({ bucket: hour * HOUR, key: 'b', value: 2 }),
          cell({ bucket: hour * HOUR, key: 'c', value: hour }),
          cell({ bucket: hour * HOUR, key: 'a', value: 7, interval: '1m' }),
        ]);
        expect(await fresh.applyRollups(cells, [{ plugin: 'p', from: undefined, to: '40' }])).toBe(true);
        const ranged = await fresh.readRollups({ plugin: 'p', interval: '1h', start: HOUR, end: 3 * HOUR, keys: ['a', 'c'] });
        expect(ranged.map((row) => [row.bucket / HOUR, row.key, row.value])).toEqual([[1, 'a', 1], [1, 'c', 1], [2, 'a', 1], [2, 'c', 2]]);
        expect(await fresh.topRollups({ plugin: 'p', interval: '1h', field: 'count', limit: 2 })).toEqual([{ key: 'b', value: 8 }, { key: 'c', value: 6 }]);
        expect(await fresh.pruneRollups('p', '1h', HOUR)).toBe(3);
        expect((await fresh.readRollups({ plugin: 'p', interval: '1h' })).map((row) => row.bucket)).not.toContain(0);
        expect(await fresh.readRollups({ plugin: 'p', interval: '1m' })).toHaveLength(4);
        await fresh.resetRollups('p', 2 * HOUR);
        expect(await fresh.rollupPositions()).toEqual({ p: { position: '0', skipBefore: 2 * HOUR, skipUntil: '40' } });
        expect((await fresh.readRollups({ plugin: 'p', interval: '1m' })).map((row) => row.bucket)).toEqual([0, HOUR]);
        await fresh.resetRollups('p');
        expect(await fresh.rollupPositions()).toEqual({});
        expect(await fresh.readRollups({ plugin: 'p', interval: '1m' })).toEqual([]);
      });
    });
  });

  describe('.rebuildingRollups', () => {
    it('should keep reads and writes exact while a rebuild is under way and after it (for a store without it, as they are)', async () => {
      await withRollups(async (fresh) => {
        const cells = [0, 1].flatMap((hour) => [cell({ bucket: hour * HOUR, key: 'a', value: 1 }), cell({ bucket: hour * HOUR, key: 'b', value: 2 })]);
        expect(await fresh.applyRollups(cells, [{ plugin: 'p', from: undefined, to: '2' }])).toBe(true);
        await fresh.rebuildingRollups?.(true);
        await fresh.resetRollups('p');
        expect(await fresh.applyRollups(cells, [{ plugin: 'p', from: undefined, to: '2' }])).toBe(true);
        expect(await fresh.applyRollups([cell({ bucket: HOUR, key: 'b', value: 3 })], [{ plugin: 'p', from: '2', to: '3' }])).toBe(true);
        const during = await fresh.readRollups({ plugin: 'p', interval: '1h', keys: ['b'] });
        expect(during.map((row) => [row.bucket / HOUR, row.value])).toEqual([[0, 2], [1, 5]]);
        await fresh.rebuildingRollups?.(false);
        expect(await fresh.readRollups({ plugin: 'p', interval: '1h', keys: ['b'] })).toEqual(during);
        expect(await fresh.topRollups({ plugin: 'p', interval: '1h', field: 'count', limit: 1 })).toEqual([{ key: 'b', value: 7 }]);
      });
    });
  });

  describe('.readRollupPage', () => {
    it('should return the values of exactly the page of (bucket, key) groups readRollups holds, either way, with their count', async () => {
      await withRollups(async (fresh) => {
        // Groups of one and of two fields (a max value with text), keys out of order, another interval beside.
        const cells = [0, 1, 2, 3, 4].flatMap((hour) => [
          cell({ bucket: hour * HOUR, key: 'b', value: hour + 1 }),
          cell({ bucket: hour * HOUR, key: 'a', value: 1 }),
          ...(hour % 2 === 0 ? [cell({ bucket: hour * HOUR, key: 'a', field: 'latest', op: 'max', value: hour, text: `id${hour}` })] : []),
          cell({ bucket: hour * HOUR, key: 'a', value: 5, interval: '1m' }),
        ]);
        expect(await fresh.applyRollups(cells, [{ plugin: 'p', from: undefined, to: '1' }])).toBe(true);
        const range = { plugin: 'p', interval: '1h', start: HOUR, end: 5 * HOUR };
        const all = await fresh.readRollups(range);
        const groups = [...new Set(all.map((row) => `${row.bucket} ${row.key}`))];
        expect(groups).toHaveLength(8);
        for (const order of ['asc', 'desc'] as const) {
          const ordered = order === 'asc' ? groups : [...groups].reverse();
          for (const [offset, limit] of [[0, 3], [3, 3], [6, 3], [0, 100], [8, 2], [2, 1]] as const) {
            const page = new Set(ordered.slice(offset, offset + limit));
            expect(await fresh.readRollupPage({ ...range, offset, limit, order })).toEqual({ rows: all.filter((row) => page.has(`${row.bucket} ${row.key}`)), groups: 8 });
          }
        }
        expect(await fresh.readRollupPage({ ...range, keys: ['b'], offset: 1, limit: 2 })).toEqual({
          rows: all.filter((row) => row.key === 'b' && row.bucket >= 2 * HOUR && row.bucket <= 3 * HOUR),
          groups: 4,
        });
      });
    });
  });

  describe('.countSeries', () => {
    const now = Date.now();
    const cases = storeQueryCases(fixture).filter(({ query }) => query.cursor === undefined && query.delta === undefined);
    describe.each(cases)('when the query is: $name', ({ query }) => {
      it('should count per hour and per day exactly as the reference', async () => {
        const store = shared();
        if (!hasRollups(store)) throw new Error('this store keeps no rollups');
        for (const interval of [HOUR, 24 * HOUR]) {
          expect(await store.countSeries(query, interval)).toEqual(referenceSeries(fixture, query, interval, now));
        }
      });
    });
    describe('when the interval is not a positive whole number', () => {
      it('should reject with a QueryError naming interval', async () => {
        const store = shared();
        if (!hasRollups(store)) throw new Error('this store keeps no rollups');
        await expect(store.countSeries({}, 0)).rejects.toMatchObject({ code: 'ERR_QUERY', field: 'interval' });
      });
    });
  });

  describe('.storageBytes', () => {
    it('should report a positive size', async () => {
      const store = shared();
      if (!hasRollups(store)) throw new Error('this store keeps no rollups');
      expect(await store.storageBytes()).toBeGreaterThan(0);
    });
  });
}
