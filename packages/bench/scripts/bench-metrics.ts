/**
 * The metrics benchmark: rebuild of N archived messages for every built-in plugin, metrics visible in the API after
 * archiving at a steady rate, archive-write CPU per message with the metrics engine on vs off (same run), and
 * `/stats/<plugin>` and rollup-covered `/series` over a 30-day window at 1-hour buckets. Writes JSON (date, machine,
 * commit, load) to stdout or `--json <file>`.
 *
 *   npm run bench:metrics -w @statbus/bench -- --messages 1000000 --json metrics.json --section=metrics-section.json
 *
 * `--section=FILE` also writes the run as the `metrics` section of docs/benchmarks.md (`npm run docs:benchmarks --
 * --section FILE` records it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveMessage, silentLogger, QUERY_DEFAULTS, type ArchivedMessage } from '@statbus/core';
import { BUILT_IN_PLUGINS, MetricsCatalog, MetricsEngine, MetricsReader } from '@statbus/metrics';
import { createQueryServer } from '@statbus/query';
import { SqliteMessageStore } from '@statbus/sink';
import { headCommit, loadNow, machineDescription, takeSectionFlag, writeSection } from './section-output.js';

const args = process.argv.slice(2);
const commandLine = `npm run bench:metrics -w @statbus/bench -- ${args.join(' ')}`;
const sectionFile = takeSectionFlag(args);
const loadAtStart = loadNow();
const flag = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const N = Number(flag('--messages', '1000000'));
const RATE = Number(flag('--rate', '5000'));
const jsonPath = args.includes('--json') ? flag('--json', '') : undefined;
const DAY = 86_400_000;
const now = Date.now();
const start = now - 30 * DAY;

const categories = ['bodhi', 'koji', 'copr', 'pagure', 'fas', 'badges', 'wiki', 'buildsys', 'git', 'ansible'];
let sequence = 0;
function message(time: number): ArchivedMessage {
  sequence += 1;
  const category = categories[sequence % categories.length] ?? 'bodhi';
  return archiveMessage(
    {
      id: `bench-${sequence}-${Math.random().toString(36).slice(2, 10)}`,
      topic: `org.fedoraproject.prod.${category}.event${sequence % 10}.done`,
      time,
      producer: { name: 'bench', host: 'localhost', pid: process.pid, instance: 'bench' },
      seq: sequence,
      headers: { usernames: `user${sequence % 200}`, packages: `pkg${sequence % 300}` },
      body: { n: sequence, text: 'a build finished' },
    },
    { prefix: 'org.fedoraproject.prod' },
  );
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-metrics-'));
// Deferred indexes are filled inside each measured step (as the archiver's own work), not by a background timer that
// would land in whichever measurement happens to run.
const store = new SqliteMessageStore(join(dir, 'archive.db'), { synchronous: 'NORMAL', indexInBackground: false });
const catchUpIndexes = async (): Promise<void> => {
  while ((await store.catchUpIndexes(100_000)) > 0);
};
const catalog = new MetricsCatalog(BUILT_IN_PLUGINS);
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  commit: (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })(),
  load: { before: loadavg() },
  messages: N,
};
try {
  await store.init();
  // Archive writes without metrics, then with the engine following (same batches, same store): CPU per message.
  const BATCH = 500;
  const step = (30 * DAY) / N;
  let written = 0;
  const writeChunk = async (count: number, engine?: MetricsEngine, live = false): Promise<number> => {
    const before = cpuMs();
    for (let done = 0; done < count; done += BATCH) {
      // live: stamped now, as an archiver sees traffic; otherwise spread over the 30 days (each message its own minute).
      const batch = Array.from({ length: Math.min(BATCH, count - done) }, () => message(live ? Date.now() : start + (written += 1) * step));
      await store.insertMany(batch);
      if (engine !== undefined) await engine.sync();
    }
    await catchUpIndexes();
    return (cpuMs() - before) / count;
  };
  const seedEnd = Math.max(0, N - 100_000);
  process.stderr.write(`seeding ${seedEnd} messages…\n`);
  await writeChunk(seedEnd);
  await catchUpIndexes();
  const follower = new MetricsEngine(store, catalog, silentLogger);
  // Bring the metrics to the head before comparing, so the engine only follows the compared chunk.
  await follower.sync();
  const off = await writeChunk(50_000);
  await follower.sync();
  const on = await writeChunk(50_000, follower);
  await follower.sync();
  // Live: archiving at RATE msg/s, stamped now; with metrics, the engine follows as in statbus nom (woken by each insert).
  const liveChunk = async (count: number, engine?: MetricsEngine): Promise<number> => {
    const before = cpuMs();
    await engine?.start();
    const began = Date.now();
    for (let done = 0; done < count; done += BATCH) {
      await store.insertMany(Array.from({ length: Math.min(BATCH, count - done) }, () => message(Date.now())));
      const due = began + ((done + BATCH) * 1000) / RATE - Date.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
    }
    await engine?.stop();
    await engine?.sync();
    await catchUpIndexes();
    return (cpuMs() - before) / count;
  };
  // Rounds of off then on, so that the load of a shared machine, which drifts, weighs on both alike.
  const ROUNDS = 4;
  let liveOff = 0;
  let liveOn = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    liveOff += (await liveChunk(20_000 / ROUNDS)) / ROUNDS;
    await follower.sync();
    liveOn += (await liveChunk(20_000 / ROUNDS, follower)) / ROUNDS;
  }
  report['archive_cpu_ms_per_message'] = {
    live: { metrics_off: liveOff, metrics_on: liveOn, ratio: liveOn / liveOff },
    historical_spread: { metrics_off: off, metrics_on: on, ratio: on / off },
    target_ratio: 1.1,
  };
  process.stderr.write(`archive CPU/message, historical spread: off ${off.toFixed(4)} ms, on ${on.toFixed(4)} ms (${(on / off).toFixed(2)}x)\n`);
  process.stderr.write(`archive CPU/message, live: off ${liveOff.toFixed(4)} ms, on ${liveOn.toFixed(4)} ms (${(liveOn / liveOff).toFixed(2)}x)\n`);

  // Rebuild of everything archived, every built-in archive plugin.
  const rebuildStarted = performance.now();
  const rebuildCpu = cpuMs();
  const read = await follower.rebuild();
  const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
  report['rebuild'] = { messages: read, seconds: rebuildSeconds, cpu_seconds: (cpuMs() - rebuildCpu) / 1000, target_seconds: 20 };
  process.stderr.write(`rebuild of ${read} messages: ${rebuildSeconds.toFixed(1)} s\n`);

  // Visibility: archive at RATE msg/s for a few seconds with the engine following; time until the API shows each batch.
  const reader = new MetricsReader(store, catalog);
  await follower.start();
  const visibility: number[] = [];
  const tick = 20;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  const liveStart = Date.now();
  let expected = (await store.readRollups({ plugin: 'volume', interval: '1d' })).reduce((sum, row) => sum + row.value, 0);
  while (Date.now() - liveStart < 4000) {
    const tickStarted = Date.now();
    const batch = Array.from({ length: perTick }, () => message(Date.now()));
    await store.insertMany(batch);
    const archivedAt = performance.now();
    expected += batch.length;
    for (;;) {
      const total = (await store.readRollups({ plugin: 'volume', interval: '1d' })).reduce((sum, row) => sum + row.value, 0);
      if (total >= expected) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    visibility.push(performance.now() - archivedAt);
    const wait = tick - (Date.now() - tickStarted);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await follower.stop();
  report['visibility_ms'] = { rate: RATE, batches: visibility.length, p50: percentile(visibility, 0.5), p99: percentile(visibility, 0.99), target_p99: 1000 };
  process.stderr.write(`visible in the API: p50 ${percentile(visibility, 0.5).toFixed(1)} ms, p99 ${percentile(visibility, 0.99).toFixed(1)} ms\n`);

  // The API: one request at a time, 30 days at 1 h.
  const app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [] }, metrics: reader });
  const window = `start=${Math.floor(start / 1000)}&end=${Math.floor(now / 1000)}`;
  const api: Record<string, unknown> = {};
  for (const [name, url] of [
    ['stats_volume', `/stats/volume?interval=1h&rows_per_page=1000&${window}`],
    ['stats_volume_by_category', `/stats/volume-by-category?interval=1h&rows_per_page=1000&${window}`],
    ['series_all', `/series?interval=1h&${window}`],
    ['series_category', `/series?interval=1h&category=koji&${window}`],
  ] as const) {
    // Not timed: the first requests of a route compile its code and statements.
    for (let index = 0; index < 20; index += 1) await app.inject({ method: 'GET', url });
    const times: number[] = [];
    // CPU time per request beside the wall time: on a shared machine the wall's tail is mostly waiting for a core.
    const cpuTimes: number[] = [];
    let source: unknown;
    for (let index = 0; index < 200; index += 1) {
      const started = performance.now();
      const cpuStarted = cpuMs();
      const response = await app.inject({ method: 'GET', url });
      times.push(performance.now() - started);
      cpuTimes.push(cpuMs() - cpuStarted);
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
      source = response.json<{ source?: string }>().source;
    }
    api[name] = { p50_ms: percentile(times, 0.5), p99_ms: percentile(times, 0.99), cpu_p50_ms: percentile(cpuTimes, 0.5), cpu_p99_ms: percentile(cpuTimes, 0.99), ...(source === undefined ? {} : { source }), target_p99_ms: 20 };
    process.stderr.write(`${url.split('?')[0] ?? url}: p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms (CPU p50 ${percentile(cpuTimes, 0.5).toFixed(2)} ms, p99 ${percentile(cpuTimes, 0.99).toFixed(2)} ms)\n`);
  }
  await app.close();
  report['api'] = api;
  report['load'] = { ...(report['load'] as object), after: loadavg() };
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
const text = `${JSON.stringify(report, null, 2)}\n`;
if (sectionFile !== undefined) writeSection(sectionFile, metricsSection(report));
if (jsonPath !== undefined && jsonPath !== '') writeFileSync(jsonPath, text);
process.stdout.write(text);

/** The run as the `metrics` section of docs/benchmarks.md. */
function metricsSection(run: Record<string, unknown>): Parameters<typeof writeSection>[1] {
  type Ratio = { metrics_off: number; metrics_on: number; ratio: number };
  const cpu = run['archive_cpu_ms_per_message'] as { live: Ratio; historical_spread: Ratio };
  const rebuild = run['rebuild'] as { messages: number; seconds: number; cpu_seconds: number };
  const visibility = run['visibility_ms'] as { p50: number; p99: number };
  const api = run['api'] as Record<string, { p50_ms: number; p99_ms: number; cpu_p99_ms?: number; source?: string }>;
  const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  const apiRow = (name: string, label: string): (string | number)[] => {
    const figures = api[name] ?? { p50_ms: Number.NaN, p99_ms: Number.NaN };
    const cpu = figures.cpu_p99_ms === undefined ? '' : `; CPU p99 ${ms(figures.cpu_p99_ms)}`;
    return [label, '', '', `p50 ${ms(figures.p50_ms)}, p99 ${ms(figures.p99_ms)}${cpu}${figures.source === undefined ? '' : ` (${figures.source})`}`, 'p99 ≤ 20 ms'];
  };
  return {
    section: 'metrics',
    title: `The metrics engine (${N.toLocaleString('en')} messages, every built-in plugin)`,
    date: String(run['date']),
    machine: machineDescription(),
    commit: headCommit(),
    load: `${loadAtStart.toFixed(2)} → ${loadNow().toFixed(2)}`,
    command: commandLine,
    summary:
      'One process, one SQLite archive: messages spread over 30 days (each its own minute or so), 10 categories, 10 topics, 200 users, 300 packages. Archive CPU per message is the process CPU of writing (and generating) the messages, with and without the engine following in the same process; the rebuild reads the whole archive back into every built-in plugin; visibility is the time from a write of 100 messages (at 5,000 msg/s) to the count showing in the rollups; the API figures are one request at a time, in process, after 20 untimed requests per route.',
    table: {
      columns: ['measure', 'metrics off', 'metrics on', 'result', 'target'],
      rows: [
        ['archive CPU per message, live at 5,000 msg/s (engine following as in statbus nom; 4 rounds of off then on)', us(cpu.live.metrics_off), us(cpu.live.metrics_on), `${cpu.live.ratio.toFixed(2)}×`, '≤ 1.1×'],
        ['archive CPU per message, spread over 30 days, engine synced after every 500-message write', us(cpu.historical_spread.metrics_off), us(cpu.historical_spread.metrics_on), `${cpu.historical_spread.ratio.toFixed(2)}×`, '—'],
        [`rebuild of ${rebuild.messages.toLocaleString('en')} messages`, '', '', `${rebuild.seconds.toFixed(1)} s wall, ${rebuild.cpu_seconds.toFixed(1)} s CPU`, '≤ 20 s'],
        ['visible in the API after archiving', '', '', `p50 ${ms(visibility.p50)}, p99 ${ms(visibility.p99)}`, 'p99 ≤ 1 s'],
        apiRow('stats_volume', '/stats/volume, 30 days at 1 h'),
        apiRow('stats_volume_by_category', '/stats/volume-by-category, 30 days at 1 h, 1,000 rows a page'),
        apiRow('series_all', '/series, 30 days at 1 h'),
        apiRow('series_category', '/series?category=koji, 30 days at 1 h'),
      ],
    },
    notes: [
      'Shared 2-core machine: wall times stretch with the load average; CPU seconds and the on/off ratio measured in one run are the comparable figures. The API rows give the CPU time of a request beside its wall time: where the wall p99 is far above the CPU p99, the request was waiting for a core.',
      'The spread-over-30-days row is a worst case no archiver runs: every 500-message write is followed by a rollup transaction touching ~1,500 cells of many buckets; the engine of an archiver gathers what comes in its 750 ms window.',
    ],
  };
}
