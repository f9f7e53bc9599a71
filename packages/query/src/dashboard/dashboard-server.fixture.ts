import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUERY_DEFAULTS, archiveMessage, createEnvelope, silentLogger, type ArchivedMessage, type BusEvent, type Envelope, type MessageStore } from '@statbus/core';
import { BUILT_IN_PLUGINS, MetricsCatalog, MetricsEngine, MetricsReader } from '@statbus/metrics';
import { Archiver, SqliteMessageStore } from '@statbus/sink';
import { MemoryBus, MemoryTransport } from '@statbus/testing';
import { createQueryServer } from '../server/create-query-server.js';

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

/** The publish→archive delays of a history, as the archiver would have recorded them (now and then a slow one). */
export function archivedEvents(history: readonly ArchivedMessage[]): BusEvent[] {
  return history.map((message, index) => ({ type: 'archived', time: message.envelope.time, delayMs: 3 + (index % 13) * 1.5 + (index % 97 === 0 ? 60 : 0) }));
}

/**
 * A running query server over a real SQLite archive, fed by a real archiver (on an in-memory bus) and
 * followed by the real metrics engine: what `statbus serve --archive` runs.
 */
export interface DashboardServer {
  readonly base: string;
  readonly store: SqliteMessageStore;
  /** Absent when started with `metrics: false`. */
  readonly engine?: MetricsEngine;
  /** Publishes on the bus; the archiver stores it, the engine counts it and `/stream` tells the page. */
  publish(envelope: Envelope): Promise<void>;
  close(): Promise<void>;
}

/** The archive of `store` without its rollups: what a query server whose store keeps no metrics sees. */
function archiveOnly(store: MessageStore): MessageStore {
  return {
    init: () => store.init(),
    insertMany: (messages) => store.insertMany(messages),
    find: (query) => store.find(query),
    get: (id) => store.get(id),
    count: (query, options) => store.count(query, options),
    topics: (query) => store.topics(query),
    stats: () => store.stats(),
    changes: (after, limit) => store.changes(after, limit),
    changesHead: () => store.changesHead(),
    onInserted: (listener) => store.onInserted?.(listener) ?? (() => undefined),
    close: () => store.close(),
  };
}

/**
 * Starts the query server of the dashboard tests with `history` archived and counted by the metrics engine
 * (caught up before this resolves), and bus events (gaps, dead letters, refusals, archive delays: what
 * the transport and the archiver report, not in the archive) recorded. With `metrics: false` the server
 * sees the archive only (no `/stats`, no `/series`) and no engine runs.
 */
export async function startDashboardServer(history: readonly ArchivedMessage[], events: readonly BusEvent[] = [], options: { metrics?: boolean } = {}): Promise<DashboardServer> {
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
    const catalog = new MetricsCatalog(BUILT_IN_PLUGINS);
    let engine: MetricsEngine | undefined;
    if (options.metrics !== false) {
      const started = new MetricsEngine(store, catalog, silentLogger, { pollIntervalMs: 50 });
      engine = started;
      await started.start();
      closers.push(() => started.stop());
      await started.sync();
      await started.recordEvents(events);
    }
    const transport = new MemoryTransport(new MemoryBus(), { prefetch: 1000 });
    await transport.connect();
    closers.push(() => transport.close());
    const archiver = new Archiver(transport, store, { topic_prefix: DASHBOARD_PREFIX }, silentLogger, { batchSize: 50, maxWaitMs: 5 }, engine);
    await archiver.start();
    closers.push(() => archiver.stop());
    const config = { ...QUERY_DEFAULTS, cors_origins: [], poll_interval_ms: 50 };
    const app = engine === undefined ? createQueryServer({ store: archiveOnly(store), config }) : createQueryServer({ store, config, metrics: new MetricsReader(store, catalog) });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    return { base, store, ...(engine === undefined ? {} : { engine }), publish: (envelope) => transport.publish(envelope), close };
  } catch (error) {
    await close();
    throw error;
  }
}
