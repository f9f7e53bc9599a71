import { QueryError, type ArchivedMessage, type MessageStore } from '@statbus/core';
import type { FastifyInstance } from 'fastify';
import { parseParams, type RawParams } from '../params/parse-params.js';
import { parseTime } from '../params/parse-time.js';
import { compileQueryFilter } from '../stream/matches-query.js';

/** One bus-health event the stub reports (what the metrics engine counts from the transport, not the archive). */
export interface StubHealthRow {
  readonly time: number;
  readonly key: string;
  readonly [field: string]: number | string;
}

interface StubPlugin {
  readonly name: string;
  readonly description: string;
  readonly key: string | null;
  readonly fields: readonly string[];
  readonly keys?: (message: ArchivedMessage) => readonly string[];
}

const INTERVALS: Readonly<Record<string, number>> = { '1m': 60, '1h': 3600, '1d': 86_400 };
const volume = (name: string, key: string | null, keys: (message: ArchivedMessage) => readonly string[]): StubPlugin => ({
  name,
  description: `messages archived${key === null ? '' : ` by ${key}`}`,
  key,
  fields: ['count'],
  keys,
});
const PLUGINS: readonly StubPlugin[] = [
  volume('volume', null, () => ['']),
  volume('volume-by-category', 'category', (message) => [message.category]),
  volume('volume-by-topic', 'topic', (message) => [message.envelope.topic]),
  volume('volume-by-user', 'user', (message) => message.users),
  volume('volume-by-package', 'package', (message) => message.packages),
  volume('volume-by-agent', 'agent', (message) => (message.agent === undefined ? [] : [message.agent])),
  { name: 'archive-delay', description: 'publish→archive delay', key: null, fields: ['count', 'p50_ms', 'p99_ms'] },
  { name: 'gaps', description: 'gaps per producer', key: 'producer', fields: ['gaps', 'lost'] },
  { name: 'dead-letters', description: 'dead-lettered by reason', key: 'reason', fields: ['count'] },
  { name: 'refusals', description: 'refused by reason', key: 'reason', fields: ['count'] },
];

async function everything(store: MessageStore): Promise<ArchivedMessage[]> {
  const all: ArchivedMessage[] = [];
  let position: string | undefined;
  for (;;) {
    const batch = await store.changes(position, 1000);
    all.push(...batch.changes.map((change) => change.message));
    if (batch.changes.length < 1000) return all;
    position = batch.position;
  }
}

function one(raw: RawParams, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' ? value : value?.[0];
}

function window(raw: RawParams): { start: number; end: number } {
  const end = one(raw, 'end') === undefined ? Date.now() : parseTime('end', one(raw, 'end') as string);
  const start = one(raw, 'start') === undefined ? end - 86_400_000 : parseTime('start', one(raw, 'start') as string);
  return { start, end };
}

function intervalOf(raw: RawParams): number {
  const interval = one(raw, 'interval') ?? '1h';
  const seconds = INTERVALS[interval];
  if (seconds === undefined) throw new QueryError('interval', `must be one of ${Object.keys(INTERVALS).join(', ')}`);
  return seconds;
}

/**
 * Serves the metrics routes' shapes (`/stats/`, `/stats/<plugin>`, `/stats/<plugin>/top`, `/series`),
 * computed on each request from the whole archive, on a query server that does not have them yet: what
 * the dashboard is developed and tested against until the metrics engine serves them. Routes the server
 * already has are left alone. Bus-health rows come from `health` (keyed by plugin name).
 */
export function registerMetricsStub(app: FastifyInstance, store: MessageStore, health: Readonly<Record<string, readonly StubHealthRow[]>> = {}): void {
  const has = (url: string): boolean => app.hasRoute({ method: 'GET', url });
  const find = (name: string): StubPlugin => {
    const plugin = PLUGINS.find((candidate) => candidate.name === name);
    if (plugin === undefined) throw Object.assign(new Error(`unknown plugin ${name}`), { statusCode: 404 });
    return plugin;
  };
  const rowsOf = async (plugin: StubPlugin, raw: RawParams): Promise<Record<string, number | string>[]> => {
    const step = intervalOf(raw);
    const { start, end } = window(raw);
    const bucket = (ms: number): number => Math.floor(ms / 1000 / step) * step;
    const wanted = [raw['key'] ?? []].flat();
    const rows = new Map<string, Record<string, number | string>>();
    const add = (time: number, key: string, fields: Readonly<Record<string, number | string>>): void => {
      if (wanted.length > 0 && !wanted.includes(key)) return;
      const id = `${time}\u0000${key}`;
      const row = rows.get(id) ?? { time, key };
      for (const [field, value] of Object.entries(fields)) if (typeof value === 'number') row[field] = (Number(row[field]) || 0) + value;
      rows.set(id, row);
    };
    if (plugin.keys !== undefined) {
      for (const message of await everything(store)) {
        if (message.envelope.time < start || message.envelope.time >= end) continue;
        for (const key of plugin.keys(message)) add(bucket(message.envelope.time), key, { count: 1 });
      }
    } else if (plugin.name === 'archive-delay') {
      for (const message of await everything(store)) {
        if (message.envelope.time >= start && message.envelope.time < end) add(bucket(message.envelope.time), '', { count: 1 });
      }
      for (const row of rows.values()) Object.assign(row, { p50_ms: 2 + (Number(row['count']) % 5), p99_ms: 20 + 3 * (Number(row['count']) % 11) });
    }
    for (const event of health[plugin.name] ?? []) {
      if (event.time * 1000 >= start && event.time * 1000 < end) add(bucket(event.time * 1000), event.key, event);
    }
    return [...rows.values()].sort((a, b) => Number(a['time']) - Number(b['time']) || String(a['key']).localeCompare(String(b['key'])));
  };

  if (!has('/stats/')) app.get('/stats/', () => ({ plugins: PLUGINS.map(({ name, description, key, fields }) => ({ name, description, intervals: Object.keys(INTERVALS), key, fields })) }));
  if (!has('/stats/:plugin')) {
    app.get<{ Params: { plugin: string } }>('/stats/:plugin', async (request) => {
      const raw = request.query as RawParams;
      const plugin = find(request.params.plugin);
      const rows = await rowsOf(plugin, raw);
      const perPage = Number(one(raw, 'rows_per_page') ?? 100);
      const page = Number(one(raw, 'page') ?? 1);
      const ordered = one(raw, 'order') === 'desc' ? rows.reverse() : rows;
      const { start, end } = window(raw);
      return {
        plugin: plugin.name, interval: one(raw, 'interval') ?? '1h', start: start / 1000, end: end / 1000,
        rows: ordered.slice((page - 1) * perPage, page * perPage), total: rows.length, page, pages: Math.max(1, Math.ceil(rows.length / perPage)), rows_per_page: perPage,
      };
    });
  }
  if (!has('/stats/:plugin/top')) {
    app.get<{ Params: { plugin: string } }>('/stats/:plugin/top', async (request) => {
      const raw = request.query as RawParams;
      const plugin = find(request.params.plugin);
      const sums = new Map<string, number>();
      for (const row of await rowsOf(plugin, { ...raw, interval: '1m' })) sums.set(String(row['key']), (sums.get(String(row['key'])) ?? 0) + Number(row['count'] ?? 0));
      const { start, end } = window(raw);
      const rows = [...sums].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
      return { plugin: plugin.name, start: start / 1000, end: end / 1000, rows: rows.slice(0, Number(one(raw, 'limit') ?? 10)) };
    });
  }
  if (!has('/series')) {
    app.get('/series', async (request) => {
      const { interval, start: _start, end: _end, ...filters } = request.query as Record<string, string | string[]>;
      const raw = request.query as RawParams;
      const step = intervalOf(raw);
      const accept = compileQueryFilter(parseParams(filters, ['filters'], 100).query);
      const { start, end } = window(raw);
      const first = Math.floor(start / 1000 / step) * step;
      const counts = new Map<number, number>();
      for (let time = first; time * 1000 < end; time += step) counts.set(time, 0);
      for (const message of await everything(store)) {
        if (message.envelope.time < start || message.envelope.time >= end || !accept(message)) continue;
        const time = Math.floor(message.envelope.time / 1000 / step) * step;
        counts.set(time, (counts.get(time) ?? 0) + 1);
      }
      return { interval: interval ?? '1h', start: start / 1000, end: end / 1000, source: 'archive', points: [...counts].map(([time, count]) => ({ time, count })) };
    });
  }
}
