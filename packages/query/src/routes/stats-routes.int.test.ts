import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_DEFAULTS, silentLogger, type QueryConfig } from '@statbus/core';
import { BUILT_IN_PLUGINS, MetricsCatalog, MetricsEngine, MetricsReader } from '@statbus/metrics';
import { SqliteMessageStore } from '@statbus/sink';
import { FIXTURE_START, makeStoreFixture, referenceMatches } from '@statbus/testing';
import type { FastifyInstance } from 'fastify';
import { createQueryServer } from '../server/create-query-server.js';

const config: QueryConfig = { ...QUERY_DEFAULTS, cors_origins: [] };
const fixture = makeStoreFixture();
const dir = mkdtempSync(join(tmpdir(), 'statbus-stats-'));
const store = new SqliteMessageStore(join(dir, 'archive.db'));
// The fixture is from 2024: kept whatever the date, so that retention does not drop it.
const catalog = new MetricsCatalog(BUILT_IN_PLUGINS, { retention: {} });
let app: FastifyInstance;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const s = (ms: number): string => String(ms / 1000);

beforeAll(async () => {
  await store.init();
  for (let offset = 0; offset < fixture.messages.length; offset += 700) await store.insertMany(fixture.messages.slice(offset, offset + 700));
  const engine = new MetricsEngine(store, catalog, silentLogger);
  await engine.sync();
  await engine.recordEvents([
    { type: 'gap', time: FIXTURE_START, producer: 'koji', lost: 3 },
    { type: 'dead-letter', time: FIXTURE_START, reason: 'unstorable' },
    { type: 'archived', time: FIXTURE_START, delayMs: 12 },
  ]);
  app = createQueryServer({ store, config, metrics: new MetricsReader(store, catalog) });
});
afterAll(async () => {
  await app?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; text: string; type: string }> {
  const response = await app.inject({ method: 'GET', url, headers });
  const type = String(response.headers['content-type'] ?? '');
  return { status: response.statusCode, text: response.body, type, body: type.startsWith('application/json') ? response.json<Record<string, unknown>>() : {} };
}

describe('GET /stats', () => {
  it('should list every plugin with description, intervals, key and fields', async () => {
    const { status, body } = await get('/stats/');
    expect(status).toBe(200);
    const plugins = body['plugins'] as { name: string; intervals: string[]; key: string | null; fields: string[] }[];
    expect(plugins.map((p) => p.name)).toEqual(BUILT_IN_PLUGINS.map((p) => p.name));
    expect(plugins.find((p) => p.name === 'volume-by-category')).toMatchObject({ key: 'category', fields: ['count'], intervals: ['1m', '1h', '1d'] });
    expect(plugins.find((p) => p.name === 'archive-delay')).toMatchObject({ key: null, fields: ['count', 'p50_ms', 'p99_ms'] });
  });
});

describe('GET /stats/<plugin>', () => {
  it('should return the day buckets of volume-by-category for one key, equal to the fixture', async () => {
    const { status, body } = await get(`/stats/volume-by-category?interval=1d&key=bodhi&rows_per_page=1000&start=${s(FIXTURE_START)}&end=${s(FIXTURE_START + 30 * DAY)}`);
    expect(status).toBe(200);
    const expected = new Map<number, number>();
    for (const m of fixture.messages) {
      if (m.category !== 'bodhi' || m.envelope.time >= FIXTURE_START + 30 * DAY) continue;
      const bucket = m.envelope.time - (m.envelope.time % DAY);
      expected.set(bucket / 1000, (expected.get(bucket / 1000) ?? 0) + 1);
    }
    const rows = body['rows'] as { time: number; key: string; count: number }[];
    expect(new Map(rows.map((row) => [row.time, row.count]))).toEqual(expected);
    expect(rows.every((row) => row.key === 'bodhi')).toBe(true);
    expect(body).toMatchObject({ plugin: 'volume-by-category', interval: '1d', total: expected.size, page: 1, rows_per_page: 1000 });
  });
  it('should page like /raw', async () => {
    const first = await get('/stats/volume?interval=1d&rows_per_page=10');
    const second = await get('/stats/volume?interval=1d&rows_per_page=10&page=2');
    expect(first.body['pages']).toBe(Math.ceil((first.body['total'] as number) / 10));
    expect((second.body['rows'] as { time: number }[])[0]?.time).toBeGreaterThan((first.body['rows'] as { time: number }[])[9]?.time ?? Infinity);
  });
  it('should present latest-by-topic as id and time, and archive-delay with its quantiles', async () => {
    const latest = await get('/stats/latest-by-topic?interval=1d&rows_per_page=1');
    // The latest message's own time takes the place of the bucket's (it lies in that bucket).
    const row = (latest.body['rows'] as { time: number; key: string; id: string }[])[0];
    expect(Object.keys(row ?? {})).toEqual(['time', 'key', 'id']);
    const day = Math.floor((row?.time ?? 0) / 86_400) * DAY;
    const newest = fixture.messages
      .filter((m) => m.envelope.topic === row?.key && m.envelope.time >= day && m.envelope.time < day + DAY)
      .sort((a, b) => b.envelope.time - a.envelope.time || (a.envelope.id < b.envelope.id ? 1 : -1))[0];
    expect(row).toEqual({ time: (newest?.envelope.time ?? 0) / 1000, key: newest?.envelope.topic, id: newest?.envelope.id });
    const delay = await get('/stats/archive-delay?interval=1d');
    expect(delay.body['rows']).toEqual([{ time: FIXTURE_START / 1000, key: '', count: 1, p50_ms: 15, p99_ms: 19.9 }]);
  });
  it('should answer CSV for Accept: text/csv', async () => {
    const { status, text, type } = await get('/stats/gaps?interval=1d', { accept: 'text/csv' });
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/csv/u);
    expect(text).toBe(`time,key,gaps,lost\n${FIXTURE_START / 1000},koji,1,3\n`);
  });
  it('should answer 404 with the plugins for an unknown plugin, 400 naming a bad interval, key or time', async () => {
    const unknown = await get('/stats/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body['plugins']).toContain('volume');
    expect((await get('/stats/volume?interval=7x')).body).toMatchObject({ parameter: 'interval' });
    expect((await get('/stats/volume?key=a')).body).toMatchObject({ parameter: 'key' });
    expect((await get('/stats/volume?start=yesterday')).body).toMatchObject({ parameter: 'start' });
    expect((await get('/stats/volume?bogus=1')).status).toBe(400);
  });
});

describe('GET /stats/<plugin>/top', () => {
  it('should rank keys by their count over the window', async () => {
    const { body } = await get(`/stats/volume-by-category/top?limit=3&start=${s(FIXTURE_START)}&end=${s(FIXTURE_START + 60 * DAY)}`);
    const counts = new Map<string, number>();
    for (const m of fixture.messages) if (m.envelope.time < FIXTURE_START + 60 * DAY) counts.set(m.category, (counts.get(m.category) ?? 0) + 1);
    const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([key, count]) => ({ key, count }));
    expect(body['rows']).toEqual(expected);
  });
});

describe('GET /series', () => {
  const window = `start=${s(FIXTURE_START + 10 * DAY)}&end=${s(FIXTURE_START + 12 * DAY)}`;
  const expectedPoints = (filter: (m: (typeof fixture.messages)[number]) => boolean): { time: number; count: number }[] =>
    Array.from({ length: 48 }, (_, index) => {
      const bucket = FIXTURE_START + 10 * DAY + index * HOUR;
      return { time: bucket / 1000, count: fixture.messages.filter((m) => filter(m) && m.envelope.time >= bucket && m.envelope.time < bucket + HOUR).length };
    });
  it('should answer from the rollups with no filter and for one category, every bucket present', async () => {
    const all = await get(`/series?interval=1h&${window}`);
    expect(all.body).toMatchObject({ interval: '1h', source: 'rollups', start: (FIXTURE_START + 10 * DAY) / 1000 });
    expect(all.body['points']).toEqual(expectedPoints(() => true));
    const bodhi = await get(`/series?interval=1h&category=bodhi&${window}`);
    expect(bodhi.body['source']).toBe('rollups');
    expect(bodhi.body['points']).toEqual(expectedPoints((m) => m.category === 'bodhi'));
  });
  it('should answer other filters from the archive in one pass, with the same counts as /raw would', async () => {
    const query = { categories: ['bodhi'], notUsers: [fixture.users[0] ?? ''] };
    const answer = await get(`/series?interval=1h&category=bodhi&not_user=${fixture.users[0] ?? ''}&${window}`);
    expect(answer.body['source']).toBe('archive');
    expect(answer.body['points']).toEqual(expectedPoints((m) => referenceMatches(m, query)));
  });
  it('should answer 400 naming a bad interval or filter', async () => {
    expect((await get('/series?interval=13q')).body).toMatchObject({ parameter: 'interval' });
    expect((await get(`/series?interval=1m&start=0&end=${s(FIXTURE_START)}`)).body).toMatchObject({ parameter: 'interval' });
    expect((await get('/series?bogus=1')).body).toMatchObject({ parameter: 'bogus' });
  });
});

describe('GET /metrics', () => {
  it('should expose the statbus metrics and the process metrics in the Prometheus text format', async () => {
    const { status, text, type } = await get('/metrics');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/u);
    expect(text).toContain('# TYPE statbus_messages_archived_total counter');
    expect(text).toMatch(/statbus_messages_archived_total\{category="bodhi"\} \d+/u);
    expect(text).toContain(`statbus_archive_messages ${fixture.messages.length}`);
    expect(text).toMatch(/statbus_archive_bytes \d+/u);
    expect(text).toContain('statbus_gaps_total{producer="koji"} 1');
    expect(text).toContain('statbus_lost_messages_total{producer="koji"} 3');
    expect(text).toContain('statbus_dead_lettered_total{reason="unstorable"} 1');
    expect(text).toContain('# TYPE statbus_refused_total counter');
    expect(text).toContain('statbus_publish_to_archive_delay_seconds_bucket{le="0.02"} 1');
    expect(text).toContain('statbus_publish_to_archive_delay_seconds_count 1');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
  });
});
