import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveMessage, silentLogger, type ArchivedMessage, type ArchiveMaintenance, type MaintenanceOptions, type RollupMessageStore } from '@statbus/core';
import { MongoMessageStore, SqliteMessageStore } from '@statbus/sink';
import { MongoClient } from 'mongodb';
import { FIXTURE_PREFIX, makeStoreFixture } from '@statbus/testing';
import { BUILT_IN_PLUGINS } from './built-in-plugins.js';
import { MetricsCatalog } from './metrics-catalog.js';
import { MetricsEngine } from './metrics-engine.js';
import { followsArchive } from './metrics-plugin.js';
import { createRollupCorrection } from './rollup-correction.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// The 2024 fixture is kept whatever today's date: no retention.
const catalog = new MetricsCatalog(BUILT_IN_PLUGINS, { retention: {} });
const maintenance: MaintenanceOptions = {
  rollups: createRollupCorrection(catalog),
  derive: (envelope) => archiveMessage(envelope, { prefix: FIXTURE_PREFIX }),
};

/** Every stored value of every plugin that follows the archive, per interval. */
async function snapshot(store: RollupMessageStore): Promise<Record<string, unknown[]>> {
  const all: Record<string, unknown[]> = {};
  for (const entry of catalog.list().filter((candidate) => followsArchive(candidate.plugin))) {
    for (const interval of entry.intervals) all[`${entry.plugin.name} ${interval.name}`] = [...(await store.readRollups({ plugin: entry.plugin.name, interval: interval.name }))];
  }
  return all;
}

/** The newest message of each topic: deleting one of them makes `latest-by-topic` look for the one before. */
function newestPerTopic(messages: readonly ArchivedMessage[]): ArchivedMessage[] {
  const newest = new Map<string, ArchivedMessage>();
  for (const message of messages) {
    const found = newest.get(message.envelope.topic);
    if (found === undefined || message.envelope.time > found.envelope.time || (message.envelope.time === found.envelope.time && message.envelope.id > found.envelope.id)) {
      newest.set(message.envelope.topic, message);
    }
  }
  return [...newest.values()];
}

/**
 * Counts part of a stream, deletes and redacts counted and not yet counted messages (each deletion of a topic's newest
 * message moves its latest-by-topic value back), counts the rest, then rebuilds: the two must agree exactly.
 */
async function deleteRedactThenCompare(store: RollupMessageStore & ArchiveMaintenance): Promise<void> {
  await store.init();
  const engine = new MetricsEngine(store, catalog, silentLogger, { batchSize: 250 });
  try {
    const fixture = makeStoreFixture({ count: 1500, seed: 23 });
    const counted = fixture.messages.slice(0, 1200);
    const later = fixture.messages.slice(1200);
    await store.insertMany(counted);
    await engine.sync();
    await store.insertMany(later);
    const before = await snapshot(store);

    // Counted ones (each the newest of its topic, so the latest-by-* values move back), and ones no plugin has seen yet.
    const newest = newestPerTopic(counted).slice(0, 4);
    const deleted = [...newest, counted[10], counted[11], later[0], later[1]].map((message) => (message as ArchivedMessage).envelope.id);
    expect(await store.deleteMessages(deleted, maintenance)).toHaveLength(deleted.length);
    expect(await snapshot(store), 'the rollups changed with the delete').not.toEqual(before);

    // A redaction that removes who a message concerns: its users are derived again, and the per-user counts follow.
    const withUsers = counted.find((message, index) => index > 20 && message.users.length > 0 && message.envelope.headers['usernames'] !== undefined) as ArchivedMessage;
    expect(await store.redactMessage(withUsers.envelope.id, ['headers.usernames'], maintenance)).toBe(true);
    expect((await store.get(withUsers.envelope.id))?.users).toEqual([]);
    // One that removes its agent; one of the body only, which changes no key (counts stay as they were).
    const agentless = counted.find((message, index) => index > 20 && message.envelope.id !== withUsers.envelope.id && message.agent !== undefined) as ArchivedMessage;
    expect(await store.redactMessage(agentless.envelope.id, ['headers.agent'], maintenance)).toBe(true);
    expect((await store.get(agentless.envelope.id))?.agent).toBeUndefined();
    expect(await store.redactMessage(counted[30]?.envelope.id ?? '', ['body'], maintenance)).toBe(true);
    // A message not counted yet: redacted before the engine sees it.
    expect(await store.redactMessage(later[5]?.envelope.id ?? '', ['headers.usernames', 'headers.agent'].filter((path) => later[5]?.envelope.headers[path.slice(8)] !== undefined), maintenance)).toBe(true);

    await engine.sync();
    const live = await snapshot(store);
    const total = (live['volume 1d'] as { value: number }[]).reduce((sum, row) => sum + row.value, 0);
    expect(total).toBe(fixture.messages.length - deleted.length);

    const rebuilt = new MetricsEngine(store, catalog, silentLogger);
    await rebuilt.rebuild();
    expect(await snapshot(store)).toEqual(live);
  } finally {
    await engine.stop();
    await store.close();
  }
}

describe(createRollupCorrection, () => {
  describe('when messages are deleted and redacted from a SQLite archive whose metrics counted some of them', () => {
    it('should keep live metrics equal, per plugin, interval and key, to metrics rebuilt from the archive', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'statbus-correction-'));
      dirs.push(dir);
      await deleteRedactThenCompare(new SqliteMessageStore(join(dir, 'archive.db')));
    });
  });
});

// Packages never read the environment; tests may: MONGODB_URL names the server (docker-compose's mongodb).
const mongoUrl = process.env['MONGODB_URL'];
describe.skipIf(mongoUrl === undefined)('createRollupCorrection with MongoMessageStore on a real server (set MONGODB_URL)', () => {
  const database = `statbus_test_${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    const client = new MongoClient(mongoUrl ?? '');
    try {
      await client.connect();
      await client.db(database).dropDatabase();
    } finally {
      await client.close();
    }
  });
  it('should keep live metrics equal to metrics rebuilt from the archive after deletes and redactions', async () => {
    await deleteRedactThenCompare(new MongoMessageStore(mongoUrl ?? '', { database }));
  });
});
