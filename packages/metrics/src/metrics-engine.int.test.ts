import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type ArchivedMessage, type RollupMessageStore } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { makeStoreFixture } from '@statbus/testing';
import { BUILT_IN_PLUGINS } from './built-in-plugins.js';
import { MetricsCatalog } from './metrics-catalog.js';
import { MetricsEngine } from './metrics-engine.js';
import { followsArchive, type MetricsPlugin } from './metrics-plugin.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function newPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-metrics-'));
  dirs.push(dir);
  return join(dir, 'archive.db');
}

const throwing: MetricsPlugin = {
  name: 'throws-on-koji',
  description: 'counts, but throws on koji messages',
  key: null,
  fields: ['count'],
  observe(message, emit) {
    if (message.category === 'koji') throw new Error('koji is too much');
    emit.add('count', 1);
  },
};
// The 2024 fixture is kept whatever today's date: no retention.
const catalog = new MetricsCatalog([...BUILT_IN_PLUGINS, throwing], { retention: {} });
const archivePlugins = catalog.list().filter((entry) => followsArchive(entry.plugin));

/** Every stored value of every archive plugin, interval, bucket, key and field. */
async function snapshot(store: RollupMessageStore): Promise<Record<string, unknown[]>> {
  const all: Record<string, unknown[]> = {};
  for (const entry of archivePlugins) {
    for (const interval of entry.intervals) all[`${entry.plugin.name} ${interval.name}`] = [...(await store.readRollups({ plugin: entry.plugin.name, interval: interval.name }))];
  }
  return all;
}

/** Deterministic shuffle: archive order unrelated to message time (late and out-of-order messages). */
function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

describe(MetricsEngine, () => {
  describe('when messages arrive out of order, redelivered, to two engines on one file, with a crash between insert and rollup', () => {
    it('should keep live metrics equal, per plugin, interval and key, to metrics rebuilt from the archive', async () => {
      const fixture = makeStoreFixture({ count: 4000, seed: 11 });
      const messages = shuffled(fixture.messages);
      const path = newPath();
      const writerA = new SqliteMessageStore(path);
      const writerB = new SqliteMessageStore(path);
      await writerA.init();
      await writerB.init();
      const engineA = new MetricsEngine(writerA, catalog, silentLogger, { batchSize: 300 });
      const engineB = new MetricsEngine(writerB, catalog, silentLogger, { batchSize: 170 });
      try {
        const batches: ArchivedMessage[][] = [];
        for (let offset = 0; offset < messages.length; offset += 250) batches.push(messages.slice(offset, offset + 250));
        for (const [index, batch] of batches.entries()) {
          // Two archivers on one queue: batches alternate between them; every third batch comes again (a redelivery).
          const writer = index % 2 === 0 ? writerA : writerB;
          await writer.insertMany(batch);
          if (index % 3 === 0) await (index % 2 === 0 ? writerB : writerA).insertMany(batch.slice(0, 100));
          // A crash between the insert and the rollup: for some batches no engine runs at all until later.
          if (index % 4 === 3) continue;
          await Promise.all([engineA.sync(), engineB.sync()]);
        }
        // A third engine, as after a restart, catches up what was left.
        const restarted = new MetricsEngine(writerA, catalog, silentLogger);
        await Promise.all([restarted.sync(), engineB.sync()]);
        const live = await snapshot(writerA);
        expect(live['volume 1d']?.reduce((sum: number, row) => sum + (row as { value: number }).value, 0)).toBe(fixture.messages.length);
        const errors = (engineA.counters().errors['throws-on-koji'] ?? 0) + (engineB.counters().errors['throws-on-koji'] ?? 0) + (restarted.counters().errors['throws-on-koji'] ?? 0);
        expect(errors).toBe(fixture.messages.filter((m) => m.category === 'koji').length);

        const rebuilt = new MetricsEngine(writerB, catalog, silentLogger);
        await rebuilt.rebuild();
        expect(await snapshot(writerB)).toEqual(live);

        // A partial rebuild from a time keeps what is older and recounts the rest: the same again.
        await rebuilt.rebuild({ since: fixture.first + (fixture.last - fixture.first) / 2 });
        expect(await snapshot(writerA)).toEqual(live);

        // Volume by hour equals the messages themselves.
        const hours = new Map<number, number>();
        for (const m of fixture.messages) hours.set(m.envelope.time - (m.envelope.time % 3_600_000), (hours.get(m.envelope.time - (m.envelope.time % 3_600_000)) ?? 0) + 1);
        expect(new Map((live['volume 1h'] as { bucket: number; value: number }[]).map((row) => [row.bucket, row.value]))).toEqual(hours);
      } finally {
        await engineA.stop();
        await engineB.stop();
        await writerA.close();
        await writerB.close();
      }
    });
  });

  describe('when following live with start()', () => {
    it('should take in each insert at once, and bus events with it', async () => {
      const fixture = makeStoreFixture({ count: 600, seed: 5 });
      const store = new SqliteMessageStore(newPath());
      await store.init();
      const engine = new MetricsEngine(store, catalog, silentLogger, { pollIntervalMs: 50 });
      try {
        await store.insertMany(fixture.messages.slice(0, 300));
        await engine.start();
        const inserted = store.insertMany(fixture.messages.slice(300));
        await engine.recordEvents([
          { type: 'gap', time: fixture.first, producer: 'koji', lost: 2 },
          { type: 'gap', time: fixture.first, producer: 'koji', lost: 5 },
          { type: 'refused', time: fixture.first, reason: 'malformed' },
        ]);
        await inserted;
        await engine.sync();
        const total = (await store.readRollups({ plugin: 'volume', interval: '1d' })).reduce((sum, row) => sum + row.value, 0);
        expect(total).toBe(600);
        expect(await store.topRollups({ plugin: 'gaps', interval: '1d', field: 'lost', limit: 5 })).toEqual([{ key: 'koji', value: 7 }]);
        expect(await store.topRollups({ plugin: 'refusals', interval: '1d', field: 'count', limit: 5 })).toEqual([{ key: 'malformed', value: 1 }]);
        expect(engine.counters().events).toBe(3);
      } finally {
        await engine.stop();
        await store.close();
      }
    });
  });

  describe('when two archivers on one file each have an engine following their inserts, one stopped and restarted', () => {
    it('should take what each store hands over, read the rest from the feed, and equal the rebuild exactly', async () => {
      const fixture = makeStoreFixture({ count: 3000, seed: 23 });
      const messages = shuffled(fixture.messages, 5);
      const path = newPath();
      const writerA = new SqliteMessageStore(path);
      const writerB = new SqliteMessageStore(path);
      await writerA.init();
      await writerB.init();
      const options = { pollIntervalMs: 20, coalesceMs: 5 };
      const engineA = new MetricsEngine(writerA, catalog, silentLogger, options);
      const engineB = new MetricsEngine(writerB, catalog, silentLogger, options);
      let restarted: MetricsEngine | undefined;
      try {
        await engineA.start();
        await engineB.start();
        for (let offset = 0, index = 0; offset < messages.length; offset += 150, index += 1) {
          const batch = messages.slice(offset, offset + 150);
          // Runs of batches on one writer (its engine takes them as handed over), then the other (the feed).
          const writer = Math.floor(index / 3) % 2 === 0 ? writerA : writerB;
          await writer.insertMany(batch);
          if (index % 5 === 0) await (writer === writerA ? writerB : writerA).insertMany(batch.slice(0, 40));
          if (index === 6) await engineA.stop();
          if (index === 9) {
            restarted = new MetricsEngine(writerA, catalog, silentLogger, options);
            await restarted.start();
          }
          if (index % 4 === 0) await (writer === writerA ? (restarted ?? engineB) : engineB).sync();
        }
        await Promise.all([restarted?.stop(), engineB.stop()]);
        await engineB.sync();
        const live = await snapshot(writerA);
        expect(live['volume 1d']?.reduce((sum: number, row) => sum + (row as { value: number }).value, 0)).toBe(fixture.messages.length);
        const handed = engineA.counters().handedOver + engineB.counters().handedOver + (restarted?.counters().handedOver ?? 0);
        expect(handed).toBeGreaterThan(0);

        const rebuilt = new MetricsEngine(writerB, catalog, silentLogger);
        await rebuilt.rebuild();
        expect(await snapshot(writerB)).toEqual(live);
      } finally {
        await engineA.stop();
        await engineB.stop();
        await restarted?.stop();
        await writerA.close();
        await writerB.close();
      }
    });
  });

  describe('when reading the change feed', () => {
    it('should leave headers and bodies out only when no plugin of the batch reads them', async () => {
      const fixture = makeStoreFixture({ count: 200, seed: 9 });
      const store = new SqliteMessageStore(newPath());
      await store.init();
      const asked: (boolean | undefined)[] = [];
      const changes = store.changes.bind(store);
      store.changes = (after, limit, options) => {
        asked.push(options?.content);
        return changes(after, limit, options);
      };
      const bodyKeys: MetricsPlugin = {
        name: 'body-keys',
        description: 'sums the number of body fields (reads content: says nothing)',
        key: null,
        fields: ['count'],
        observe(message, emit) {
          emit.add('count', Object.keys(message.envelope.body).length);
        },
      };
      const volume = BUILT_IN_PLUGINS.find((plugin) => plugin.name === 'volume');
      if (volume === undefined) throw new Error('no volume plugin');
      try {
        await store.insertMany(fixture.messages);
        await new MetricsEngine(store, new MetricsCatalog([volume], { retention: {} }), silentLogger).sync();
        expect(asked.length).toBeGreaterThan(0);
        expect(new Set(asked)).toEqual(new Set([false]));
        await store.resetRollups('volume');
        asked.length = 0;
        // Both from the start: one group, one read of each page, with content.
        await new MetricsEngine(store, new MetricsCatalog([volume, bodyKeys], { retention: {} }), silentLogger).sync();
        expect(new Set(asked)).toEqual(new Set([true]));
        const summed = (await store.readRollups({ plugin: 'body-keys', interval: '1d' })).reduce((sum, row) => sum + row.value, 0);
        expect(summed).toBe(fixture.messages.reduce((sum, message) => sum + Object.keys(message.envelope.body).length, 0));
        expect(summed).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    });
  });

  describe('.rebuild', () => {
    describe('when the plugin counts bus events or is unknown', () => {
      it('should reject with a PluginError naming it', async () => {
        const store = new SqliteMessageStore(newPath());
        await store.init();
        const engine = new MetricsEngine(store, catalog, silentLogger);
        try {
          await expect(engine.rebuild({ plugins: ['gaps'] })).rejects.toMatchObject({ code: 'ERR_PLUGIN', plugin: 'gaps' });
          await expect(engine.rebuild({ plugins: ['nope'] })).rejects.toMatchObject({ code: 'ERR_PLUGIN', plugin: 'nope' });
        } finally {
          await store.close();
        }
      });
    });
  });
});
