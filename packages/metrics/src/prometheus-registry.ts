import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { MessageStore, RollupMessageStore } from '@statbus/core';
import { DELAY_BOUNDS_MS } from './delay-histogram.js';
import type { MetricsCatalog } from './metrics-catalog.js';

/** What the exposition reads. Every part is optional: a process without an archive shows the process metrics. */
export interface PrometheusSources {
  /** The archive: totals by category, size. */
  readonly store?: MessageStore & Partial<RollupMessageStore>;
  /** With the store's rollups: gaps, dead letters, refusals and the delay histogram, all time (coarsest interval). */
  readonly catalog?: MetricsCatalog;
}

/** A histogram read whole from the rollups: prom-client's own Histogram only counts observations made here. */
class RollupHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Promise<{ buckets: readonly number[]; sum: number; count: number }>,
  ) {}

  async get(): Promise<unknown> {
    const { buckets, sum, count } = await this.read();
    let cumulative = 0;
    const values = DELAY_BOUNDS_MS.map((bound, index) => {
      cumulative += buckets[index] ?? 0;
      return { metricName: `${this.name}_bucket`, labels: { le: bound / 1000 }, value: cumulative };
    });
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' as unknown as number }, value: count });
    values.push({ metricName: `${this.name}_sum`, labels: {} as { le: number }, value: sum / 1000 });
    values.push({ metricName: `${this.name}_count`, labels: {} as { le: number }, value: count });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

async function sumsByKey(store: RollupMessageStore, catalog: MetricsCatalog, plugin: string, field: string): Promise<readonly { key: string; value: number }[]> {
  if (!catalog.has(plugin)) return [];
  const coarsest = catalog.get(plugin).intervals.at(-1);
  if (coarsest === undefined) return [];
  return store.topRollups({ plugin, interval: coarsest.name, field, limit: 10_000 });
}

/**
 * A prom-client registry for `GET /metrics`: the names of the Prometheus exposition of statbus (see the metrics
 * README), read at each scrape from the archive and its rollups, plus prom-client's default process metrics.
 */
export function createPrometheusRegistry(sources: PrometheusSources = {}): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { store, catalog } = sources;
  if (store === undefined) return registry;
  const rollups = typeof store.topRollups === 'function' ? (store as RollupMessageStore) : undefined;
  new Counter({
    name: 'statbus_messages_archived_total',
    help: 'Messages in the archive, by category (each stored once, however often delivered).',
    labelNames: ['category'],
    registers: [registry],
    async collect() {
      const stats = await store.stats();
      this.reset();
      for (const [category, count] of Object.entries(stats.byCategory)) this.inc({ category }, count);
    },
  });
  new Gauge({
    name: 'statbus_archive_messages',
    help: 'Messages in the archive.',
    registers: [registry],
    async collect() {
      this.set((await store.count({}, { estimate: true })).count);
    },
  });
  if (rollups === undefined) return registry;
  new Gauge({
    name: 'statbus_archive_bytes',
    help: 'Bytes the archive takes (SQLite: the file with its WAL; MongoDB: storage and indexes).',
    registers: [registry],
    async collect() {
      this.set(await rollups.storageBytes());
    },
  });
  if (catalog === undefined) return registry;
  const counter = (name: string, help: string, label: string, plugin: string, field: string): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        const sums = await sumsByKey(rollups, catalog, plugin, field);
        this.reset();
        for (const { key, value } of sums) this.inc({ [label]: key }, value);
      },
    });
  };
  counter('statbus_gaps_total', 'Sequence gaps reported per producer (ZeroMQ).', 'producer', 'gaps', 'gaps');
  counter('statbus_lost_messages_total', 'Messages lost in gaps, per producer.', 'producer', 'gaps', 'lost');
  counter('statbus_dead_lettered_total', 'Messages dead-lettered, by reason.', 'reason', 'dead-letters', 'count');
  counter('statbus_refused_total', 'Messages refused on receipt, by reason.', 'reason', 'refusals', 'count');
  const histogram = new RollupHistogram('statbus_publish_to_archive_delay_seconds', 'Delay from publishing to archiving of newly stored messages.', async () => {
    const coarsest = catalog.has('archive-delay') ? catalog.get('archive-delay').intervals.at(-1) : undefined;
    const rows = coarsest === undefined ? [] : await rollups.readRollups({ plugin: 'archive-delay', interval: coarsest.name });
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(row.field, (totals.get(row.field) ?? 0) + row.value);
    return {
      buckets: DELAY_BOUNDS_MS.map((bound) => totals.get(`le_${bound}`) ?? 0),
      sum: totals.get('sum_ms') ?? 0,
      count: totals.get('count') ?? 0,
    };
  });
  registry.registerMetric(histogram as unknown as Metric);
  return registry;
}
