import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUERY_DEFAULTS, archiveMessage, createEnvelope, silentLogger, type ArchivedMessage, type Envelope } from '@statbus/core';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { MemoryBus, MemoryTransport } from '@statbus/testing';
import { createQueryServer } from '../server/create-query-server.js';
import { registerMetricsStub, type StubHealthRow } from './metrics-stub.fixture.js';

/** The topic prefix of the dashboard's test bus (`org.statbus.<env>.<category>.…`). */
export const DASHBOARD_PREFIX = 'org.statbus';

const CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  bodhi: ['update.comment', 'update.request.stable'],
  koji: ['build.state.change', 'tag'],
  copr: ['build.end'],
  pagure: ['pull-request.new', 'git.receive'],
  fas: ['user.create'],
  badges: ['badge.award'],
};
const USERS = ['ralph', 'adamw', 'kevin', 'nirik', 'pingou', 'mattdm', 'sgallagh', 'pbrobinson', 'jforbes', 'churchyard', 'decathorpe', 'zbyszek'];
const PACKAGES = ['kernel', 'firefox', 'systemd', 'rpm', 'dnf', 'gcc', 'glibc', 'python3', 'nodejs', 'podman', 'mesa', 'llvm'];
/** Indexes into the categories: some busier than others, as on a real bus. */
const WEIGHTS = [0, 1, 0, 3, 1, 0, 2, 1, 4, 0, 3, 5, 1, 0];

let seq = 0;

/** A deterministic, skewed pick: low indexes more often (as a few users and packages dominate a real bus). */
function skewed<T>(items: readonly T[], index: number): T {
  const spread = ((index * 7919) % 100) / 100;
  return items[Math.floor(spread * spread * items.length)] as T;
}

/** One envelope on the test bus, in `category`, sent at `time` (ms). */
export function dashboardEnvelope(category: string, time: number, index = 0): Envelope {
  const events = CATEGORIES[category] ?? ['event'];
  const users = [...new Set([skewed(USERS, index), skewed(USERS, index * 31 + 5)])];
  return createEnvelope({
    topic: `${DASHBOARD_PREFIX}.prod.${category}.${events[index % events.length] ?? 'event'}`,
    producer: { name: 'dashboard-test', host: 'localhost', pid: 1, instance: 'dashboard-test' },
    seq: (seq += 1),
    time,
    headers: { usernames: users.join(','), packages: skewed(PACKAGES, index * 13 + 1) },
    body: { index },
  });
}

/**
 * A history of `count` messages over the last 30 days, denser towards now (so that each time range shows
 * a different picture) and busier by day than by night, categories weighted unevenly. Deterministic for a
 * given `now`.
 */
export function dashboardHistory(now: number, count: number): ArchivedMessage[] {
  const names = Object.keys(CATEGORIES);
  const messages: ArchivedMessage[] = [];
  for (let index = 0; index < count; index += 1) {
    const share = (index + 0.5) / count;
    const age = share ** 1.6 * 30 * 86_400_000;
    // Pulled towards the middle of the UTC day: a daily rhythm in every range but the last hour.
    const hour = (now - age) / 3_600_000;
    const rhythm = Math.sin((2 * Math.PI * hour) / 24) * 2 * 3_600_000 * (index % 2 === 0 ? 1 : 0.5);
    const time = Math.min(now - 1000, Math.round(now - age + rhythm));
    const category = names[WEIGHTS[index % WEIGHTS.length] ?? 0] ?? 'bodhi';
    messages.push(archiveMessage(dashboardEnvelope(category, time, index), { prefix: DASHBOARD_PREFIX }));
  }
  return messages;
}

/** A running query server over a real SQLite archive fed by a real archiver (on an in-memory bus). */
export interface DashboardServer {
  readonly base: string;
  readonly store: SqliteMessageStore;
  /** Publishes on the bus; the archiver stores it and `/stream` tells the page. */
  publish(envelope: Envelope): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the query server of the dashboard tests with `history` archived, bus-health events `health`, and
 * the metrics routes served by {@link registerMetricsStub} where the server has none of its own.
 */
export async function startDashboardServer(history: readonly ArchivedMessage[], health: Readonly<Record<string, readonly StubHealthRow[]>> = {}): Promise<DashboardServer> {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-dashboard-'));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const store = new SqliteMessageStore(join(dir, 'archive.db'));
    await store.init();
    closers.push(() => store.close());
    if (history.length > 0) await store.insertMany(history);
    const transport = new MemoryTransport(new MemoryBus(), { prefetch: 1000 });
    await transport.connect();
    closers.push(() => transport.close());
    const archiver = new Archiver(transport, store, { topic_prefix: DASHBOARD_PREFIX }, silentLogger, { batchSize: 50, maxWaitMs: 5 });
    await archiver.start();
    closers.push(() => archiver.stop());
    const app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [], poll_interval_ms: 50 } });
    registerMetricsStub(app, store, health);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    return { base, store, publish: (envelope) => transport.publish(envelope), close };
  } catch (error) {
    await close();
    throw error;
  }
}
