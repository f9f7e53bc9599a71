import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { MessageQuery } from '@statbus/core';
import { SqliteMessageStore, encodeCursor, type SqliteSynchronous } from '@statbus/sink';
import {
  BENCH_CATEGORIES,
  BENCH_EVENTS,
  BENCH_PACKAGES,
  BENCH_SPAN,
  BENCH_START,
  BENCH_USERS,
  BENCH_WORDS,
  BenchMessages,
  type BenchIds,
} from './bench-messages.js';
import { headCommit, loadNow, machineDescription, takeSectionFlag, writeSection } from '../section-output.js';

// Usage: npm run bench:store -- [sizes=100000,1000000] [batch=1000] [synchronous=FULL] [keep|-] [ids=statbus|ordered|random] [--section=FILE]
// Fills one SQLite file up to each size in turn, timing only insertMany (messages are generated outside the
// timer), then times each query shape: warm-up runs, then p50/p95/p99. A raw better-sqlite3 INSERT into one
// plain table runs in the same process first, as the ceiling to compare ingest with. Seeded: reproducible.

const DAY = 86_400_000;
const WARMUP = 10;
const RUNS = 100;

/** Bytes this process has caused to be written to storage (Linux), to show the write amplification of ingest. */
function writtenBytes(): number {
  try {
    return Number(/write_bytes: (\d+)/u.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');
const rate = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

interface Figures {
  p50: number;
  p95: number;
  p99: number;
  /** p50 and p99 of the CPU time the process spent per query: what a loaded machine does not inflate. */
  cpu50: number;
  cpu99: number;
  total: number;
}

async function time(store: SqliteMessageStore, make: () => MessageQuery): Promise<Figures> {
  for (let run = 0; run < WARMUP; run += 1) await store.find(make());
  const samples: number[] = [];
  const cpu: number[] = [];
  let total = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const query = make();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const page = await store.find(query);
    samples.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    total += page.total;
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    p99: percentile(samples, 0.99),
    cpu50: percentile(cpu, 0.5),
    cpu99: percentile(cpu, 0.99),
    total: total / RUNS,
  };
}

/** The ceiling: the same rows' JSON into one plain rowid table, prepared statement, one transaction per batch. */
function rawBaseline(dir: string, count: number, batch: number, synchronous: SqliteSynchronous, generator: BenchMessages): number {
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE raw (id TEXT NOT NULL, time INTEGER NOT NULL, topic TEXT NOT NULL, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO raw (id, time, topic, body) VALUES (?, ?, ?, ?)');
    const write = db.transaction((rows: ReturnType<BenchMessages['messages']>) => {
      for (const { envelope } of rows) insert.run(envelope.id, envelope.time, envelope.topic, JSON.stringify(envelope));
    });
    // The same messages as the store gets: the generator is put back afterwards.
    return generator.replay(() => {
      let ms = 0;
      for (let done = 0; done < count; done += batch) {
        const rows = generator.messages(done, Math.min(count, done + batch));
        const started = performance.now();
        write.immediate(rows);
        ms += performance.now() - started;
      }
      return ms;
    });
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const sectionFile = takeSectionFlag(argv);
  const sizes = (argv[0] ?? '100000,1000000').split(',').map(Number);
  const batch = Number(argv[1] ?? 1000);
  const synchronous = (argv[2] ?? 'FULL') as SqliteSynchronous;
  const keep = argv[3] === 'keep';
  const ids = (argv[4] ?? 'statbus') as BenchIds;
  const startedAt = new Date();
  const loadAtStart = loadNow();
  const ingestRows = new Map<string, string[]>();
  const ingestRow = (name: string, value: string): void => {
    ingestRows.set(name, [...(ingestRows.get(name) ?? []), value]);
  };
  const generator = new BenchMessages(Math.max(...sizes), ids);
  const random = (): number => generator.random();
  const pick = <T>(items: readonly T[]): T => generator.pick(items);
  console.log(`statbus bench:store — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  console.log(`load average (1/5/15 min) at start: ${load()}; batches of ${batch}, synchronous=${synchronous}, ${ids} ids, ${WARMUP} warm-up + ${RUNS} timed runs per shape`);
  const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-'));
  const path = join(dir, 'bench.db');
  const store = new SqliteMessageStore(path, { synchronous, indexInBackground: false });
  const results = new Map<number, Map<string, Figures>>();
  try {
    const rawCount = Math.min(sizes[0] ?? 100_000, 200_000);
    const rawMs = rawBaseline(dir, rawCount, batch, synchronous, generator);
    console.log(`raw baseline: ${rawCount.toLocaleString('en')} rows into one plain table: ${rate(rawCount, rawMs)} msg/s`);
    await store.init();
    let stored = 0;
    for (const size of sizes) {
      const added = size - stored;
      let ms = 0;
      const cpuBefore = process.cpuUsage();
      const writtenBefore = writtenBytes();
      while (stored < size) {
        const messages = generator.messages(stored, Math.min(size, stored + batch));
        const started = performance.now();
        await store.insertMany(messages);
        ms += performance.now() - started;
        stored += messages.length;
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      console.log(`\n== ${size.toLocaleString('en')} messages (load ${load()})`);
      console.log(`ingest: ${added.toLocaleString('en')} in ${(ms / 1000).toFixed(1)} s = ${rate(added, ms)} msg/s (insertMany only; ${Math.round(added / cpuSeconds).toLocaleString('en')} msg per CPU-second incl. generation; ${((writtenBytes() - writtenBefore) / added / 1024).toFixed(1)} KiB written per message)`);
      // Users, packages, agents and text are indexed after the commit (in the background in a live store): timed apart, then together.
      const indexStarted = performance.now();
      const indexCpu = process.cpuUsage();
      const indexed = await store.catchUpIndexes();
      const indexMs = performance.now() - indexStarted;
      const indexCpuUsed = process.cpuUsage(indexCpu);
      const indexCpuSeconds = (indexCpuUsed.user + indexCpuUsed.system) / 1e6;
      ingestRow('insertMany (durable commit)', `${rate(added, ms)} msg/s`);
      ingestRow('deferred indexes catch-up', `${rate(indexed, indexMs)} msg/s`);
      ingestRow('both together (sustained)', `${rate(added, ms + indexMs)} msg/s`);
      ingestRow('file', `${(statSync(path).size / 1e6).toFixed(0)} MB`);
      console.log(`deferred indexes catch-up (users, packages, agents, text): ${indexed.toLocaleString('en')} rows in ${(indexMs / 1000).toFixed(1)} s = ${rate(indexed, indexMs)} msg/s (${Math.round(indexed / indexCpuSeconds).toLocaleString('en')} msg per CPU-second); insertMany + catch-up together (sustained): ${rate(added, ms + indexMs)} msg/s; file ${(statSync(path).size / 1e6).toFixed(0)} MB`);
      const deep = await store.find({ rowsPerPage: 1, page: Math.floor(size / 2) });
      const middle = deep.messages[0]?.envelope;
      const covered = (size / Math.max(...sizes)) * BENCH_SPAN;
      const windowStart = (length: number): number => BENCH_START + Math.floor(random() * (covered - length));
      const shapes: [string, () => MessageQuery][] = [
        ['time window (1 day)', () => { const start = windowStart(DAY); return { start, end: start + DAY }; }],
        ['topic', () => ({ topics: [`org.fedoraproject.prod.${pick(BENCH_CATEGORIES)}.${pick(BENCH_EVENTS)}`] })],
        ['topic pattern (…koji.#)', () => ({ topics: [`org.fedoraproject.prod.${pick(BENCH_CATEGORIES)}.#`] })],
        ['category', () => ({ categories: [pick(BENCH_CATEGORIES)] })],
        ['category + 30-day window', () => { const start = windowStart(30 * DAY); return { categories: [pick(BENCH_CATEGORIES)], start, end: start + 30 * DAY }; }],
        ['user', () => ({ users: [pick(BENCH_USERS)] })],
        ['package', () => ({ packages: [pick(BENCH_PACKAGES)] })],
        ['contains (two words)', () => ({ contains: [`${pick(BENCH_WORDS)} ${pick(BENCH_WORDS)}`] })],
        ['contains + 1-week window', () => { const start = windowStart(7 * DAY); return { contains: [pick(BENCH_WORDS)], start, end: start + 7 * DAY }; }],
        ['notCategories', () => ({ notCategories: [pick(BENCH_CATEGORIES)] })],
        ['notUsers + 1-day window', () => { const start = windowStart(DAY); return { notUsers: [pick(BENCH_USERS)], start, end: start + DAY }; }],
        ['page 1 (no filter)', () => ({})],
        ['deep cursor page (middle)', () => ({ cursor: encodeCursor({}, { time: middle?.time ?? BENCH_START, id: middle?.id ?? '', page: 2, window: {} }) })],
        ['deep offset page (middle)', () => ({ page: Math.floor(size / 50), rowsPerPage: 25 })],
      ];
      const row = new Map<string, Figures>();
      for (const [name, make] of shapes) {
        const figures = await time(store, make);
        row.set(name, figures);
        const ms2 = (value: number): string => value.toFixed(2).padStart(8);
        console.log(`${name.padEnd(28)} p50 ${ms2(figures.p50)}  p95 ${ms2(figures.p95)}  p99 ${ms2(figures.p99)} ms   cpu p50 ${ms2(figures.cpu50)}  p99 ${ms2(figures.cpu99)} ms   (mean total ${Math.round(figures.total).toLocaleString('en')})`);
      }
      results.set(size, row);
    }
    const [small, large] = sizes;
    const a = small === undefined ? undefined : results.get(small);
    const b = large === undefined ? undefined : results.get(large);
    if (a !== undefined && b !== undefined && small !== large) {
      console.log(`\n== p99 from ${small?.toLocaleString('en')} to ${large?.toLocaleString('en')} messages`);
      for (const [name, figures] of b) {
        const before = a.get(name)?.p99 ?? Number.NaN;
        console.log(`${name.padEnd(28)} ${before.toFixed(2).padStart(8)} ms → ${figures.p99.toFixed(2).padStart(8)} ms  (×${(figures.p99 / before).toFixed(1)})`);
      }
    }
    console.log(`\nload average at end: ${load()}`);
    if (sectionFile !== undefined) {
      const shapeNames = [...(results.get(sizes[0] ?? 0)?.keys() ?? [])];
      const cell = (figures: Figures | undefined): string =>
        figures === undefined ? '–' : `${figures.p50.toFixed(2)} / ${figures.p99.toFixed(2)} (${figures.cpu99.toFixed(2)})`;
      writeSection(sectionFile, {
        section: 'store',
        title: 'The SQLite store (ingest and query shapes)',
        date: startedAt.toISOString(),
        machine: machineDescription(),
        commit: headCommit(),
        load: `${loadAtStart.toFixed(2)} → ${loadNow().toFixed(2)}`,
        command: `npm run bench:store -- ${sizes.join(',')} ${batch} ${synchronous} ${keep ? 'keep' : '-'} ${ids}`,
        summary: `One file grown to each size, timing only insertMany (batches of ${batch}, synchronous = ${synchronous}, ${ids} ids), then the catch-up of the deferred indexes, then ${WARMUP} warm-up and ${RUNS} timed finds per shape. Query cells are wall p50 / p99 ms, CPU p99 ms in brackets.`,
        table: {
          columns: ['figure', ...sizes.map((size) => size.toLocaleString('en'))],
          rows: [...[...ingestRows].map(([name, values]) => [name, ...values]), ...shapeNames.map((name) => [name, ...sizes.map((size) => cell(results.get(size)?.get(name)))])],
        },
      });
    }
  } finally {
    await store.close();
    if (keep) console.log(`kept: ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
