import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { ArchivedMessage, MessageQuery } from '@statbus/core';
import { encodeCursor } from '../query/keyset-cursor.js';
import { SqliteMessageStore, type SqliteSynchronous } from '../sqlite/sqlite-message-store.js';

// Usage: node dist/bench/bench-store.js [sizes=100000,1000000] [batch=1000] [synchronous=FULL] [keep]
// Fills one SQLite file up to each size in turn, timing only insertMany (messages are generated outside the
// timer), then times each query shape: warm-up runs, then p50/p95/p99. A raw better-sqlite3 INSERT into one
// plain table runs in the same process first, as the ceiling to compare ingest with. Seeded: reproducible.

const CATEGORIES = ['bodhi', 'copr', 'koji', 'pagure', 'fas', 'badges', 'wiki', 'ansible', 'mdapi', 'fedocal'];
const EVENTS = ['update.comment', 'build.start', 'build.end', 'tag', 'pull-request.new', 'issue.new', 'user.update', 'badge.award'];
const WORDS = ['rawhide', 'stable', 'testing', 'regression', 'karma', 'rebuild', 'dependency', 'security', 'firefox', 'kernel', 'mesa', 'python'];
const USERS = Array.from({ length: 2000 }, (_, i) => `user${i}`);
const PACKAGES = Array.from({ length: 5000 }, (_, i) => `package-${i}`);
const START = Date.UTC(2023, 0, 1);
const SPAN = 365 * 86_400_000;
const DAY = 86_400_000;
const WARMUP = 10;
const RUNS = 100;
let TOTAL = 1_000_000;

let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function message(index: number): ArchivedMessage {
  const category = pick(CATEGORIES);
  const users = [pick(USERS), ...(random() < 0.3 ? [pick(USERS)] : [])];
  const packages = random() < 0.7 ? [pick(PACKAGES)] : [];
  // A live bus archives in time order (a few seconds of jitter): times grow with the index.
  const time = START + Math.floor((index / TOTAL) * SPAN + random() * 5000);
  return {
    envelope: {
      id: `2023-${index.toString(16).padStart(8, '0')}-${Math.floor(random() * 1e9).toString(16)}`,
      topic: `org.fedoraproject.prod.${category}.${pick(EVENTS)}`,
      time,
      producer: { name: category, host: `${category}01.example.org`, pid: 100, instance: category },
      seq: index + 1,
      headers: { usernames: users.join(','), packages: packages.join(','), agent: users[0] ?? '' },
      body: {
        comment: `${pick(WORDS)} ${pick(WORDS)} on ${packages[0] ?? 'none'} by ${users[0] ?? ''}`,
        release: pick(['F38', 'F39', 'F40', 'rawhide']),
        item: { id: Math.floor(random() * 1e6), owner: users[0] ?? null },
      },
    },
    category,
    users,
    packages,
    agent: users[0] ?? '',
  };
}

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
function rawBaseline(dir: string, count: number, batch: number, synchronous: SqliteSynchronous): number {
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE raw (id TEXT NOT NULL, time INTEGER NOT NULL, topic TEXT NOT NULL, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO raw (id, time, topic, body) VALUES (?, ?, ?, ?)');
    const write = db.transaction((rows: readonly ArchivedMessage[]) => {
      for (const { envelope } of rows) insert.run(envelope.id, envelope.time, envelope.topic, JSON.stringify(envelope));
    });
    const saved = seed;
    let ms = 0;
    for (let done = 0; done < count; done += batch) {
      const rows = Array.from({ length: Math.min(batch, count - done) }, (_, i) => message(done + i));
      const started = performance.now();
      write.immediate(rows);
      ms += performance.now() - started;
    }
    seed = saved;
    return ms;
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
  const batch = Number(process.argv[3] ?? 1000);
  const synchronous = (process.argv[4] ?? 'FULL') as SqliteSynchronous;
  const keep = process.argv[5] === 'keep';
  TOTAL = Math.max(...sizes);
  console.log(`statbus bench:store — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  console.log(`load average (1/5/15 min) at start: ${load()}; batches of ${batch}, synchronous=${synchronous}, ${WARMUP} warm-up + ${RUNS} timed runs per shape`);
  const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-'));
  const path = join(dir, 'bench.db');
  const store = new SqliteMessageStore(path, { synchronous, indexTextInBackground: false });
  const results = new Map<number, Map<string, Figures>>();
  try {
    const rawCount = Math.min(sizes[0] ?? 100_000, 200_000);
    const rawMs = rawBaseline(dir, rawCount, batch, synchronous);
    console.log(`raw baseline: ${rawCount.toLocaleString('en')} rows into one plain table: ${rate(rawCount, rawMs)} msg/s`);
    await store.init();
    let stored = 0;
    for (const size of sizes) {
      const added = size - stored;
      let ms = 0;
      const cpuBefore = process.cpuUsage();
      const writtenBefore = writtenBytes();
      while (stored < size) {
        const messages = Array.from({ length: Math.min(batch, size - stored) }, (_, i) => message(stored + i));
        const started = performance.now();
        await store.insertMany(messages);
        ms += performance.now() - started;
        stored += messages.length;
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      console.log(`\n== ${size.toLocaleString('en')} messages (load ${load()})`);
      console.log(`ingest: ${added.toLocaleString('en')} in ${(ms / 1000).toFixed(1)} s = ${rate(added, ms)} msg/s (insertMany only; ${Math.round(added / cpuSeconds).toLocaleString('en')} msg per CPU-second incl. generation; ${((writtenBytes() - writtenBefore) / added / 1024).toFixed(1)} KiB written per message)`);
      // The `contains` index is filled after the commit (in the background in a live store): timed apart, then together.
      const indexStarted = performance.now();
      const indexed = await store.indexText();
      const indexMs = performance.now() - indexStarted;
      console.log(`text index catch-up: ${indexed.toLocaleString('en')} rows in ${(indexMs / 1000).toFixed(1)} s = ${rate(indexed, indexMs)} msg/s; insertMany + text index together: ${rate(added, ms + indexMs)} msg/s; file ${(statSync(path).size / 1e6).toFixed(0)} MB`);
      const deep = await store.find({ rowsPerPage: 1, page: Math.floor(size / 2) });
      const middle = deep.messages[0]?.envelope;
      const covered = (size / TOTAL) * SPAN;
      const windowStart = (length: number): number => START + Math.floor(random() * (covered - length));
      const shapes: [string, () => MessageQuery][] = [
        ['time window (1 day)', () => { const start = windowStart(DAY); return { start, end: start + DAY }; }],
        ['topic', () => ({ topics: [`org.fedoraproject.prod.${pick(CATEGORIES)}.${pick(EVENTS)}`] })],
        ['topic pattern (…koji.#)', () => ({ topics: [`org.fedoraproject.prod.${pick(CATEGORIES)}.#`] })],
        ['category', () => ({ categories: [pick(CATEGORIES)] })],
        ['category + 30-day window', () => { const start = windowStart(30 * DAY); return { categories: [pick(CATEGORIES)], start, end: start + 30 * DAY }; }],
        ['user', () => ({ users: [pick(USERS)] })],
        ['package', () => ({ packages: [pick(PACKAGES)] })],
        ['contains (two words)', () => ({ contains: [`${pick(WORDS)} ${pick(WORDS)}`] })],
        ['contains + 1-week window', () => { const start = windowStart(7 * DAY); return { contains: [pick(WORDS)], start, end: start + 7 * DAY }; }],
        ['notCategories', () => ({ notCategories: [pick(CATEGORIES)] })],
        ['notUsers + 1-day window', () => { const start = windowStart(DAY); return { notUsers: [pick(USERS)], start, end: start + DAY }; }],
        ['page 1 (no filter)', () => ({})],
        ['deep cursor page (middle)', () => ({ cursor: encodeCursor({}, { time: middle?.time ?? START, id: middle?.id ?? '', page: 2, window: {} }) })],
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
  } finally {
    await store.close();
    if (keep) console.log(`kept: ${path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
