import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ArchivedMessage, MessageQuery } from '@statbus/core';
import { encodeCursor } from '../query/keyset-cursor.js';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';

// Usage: node dist/bench/bench-store.js [sizes=100000,1000000] [batch=1000]
// Fills one SQLite file up to each size in turn, timing the batched ingest, then times each query shape.

const CATEGORIES = ['bodhi', 'copr', 'koji', 'pagure', 'fas', 'badges', 'wiki', 'ansible', 'mdapi', 'fedocal'];
const EVENTS = ['update.comment', 'build.start', 'build.end', 'tag', 'pull-request.new', 'issue.new', 'user.update', 'badge.award'];
const WORDS = ['rawhide', 'stable', 'testing', 'regression', 'karma', 'rebuild', 'dependency', 'security', 'firefox', 'kernel', 'mesa', 'python'];
const USERS = Array.from({ length: 2000 }, (_, i) => `user${i}`);
const PACKAGES = Array.from({ length: 5000 }, (_, i) => `package-${i}`);
const START = Date.UTC(2023, 0, 1);
const SPAN = 365 * 86_400_000;
const RUNS = 60;
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function time(store: SqliteMessageStore, make: () => MessageQuery): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const query = make();
    const started = performance.now();
    await store.find(query);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
  const batch = Number(process.argv[3] ?? 1000);
  TOTAL = Math.max(...sizes);
  const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-'));
  const path = join(dir, 'bench.db');
  const store = new SqliteMessageStore(path);
  const results = new Map<number, Map<string, { p50: number; p99: number }>>();
  try {
    await store.init();
    let stored = 0;
    for (const size of sizes) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const added = size - stored;
      while (stored < size) {
        const messages = Array.from({ length: Math.min(batch, size - stored) }, (_, i) => message(stored + i));
        await store.insertMany(messages);
        stored += messages.length;
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      console.log(`\n== ${size.toLocaleString('en')} messages: ingested ${added.toLocaleString('en')} in ${seconds.toFixed(1)} s = ${Math.round(added / seconds).toLocaleString('en')} msg/s (batches of ${batch}, synchronous=FULL, message generation included; ${Math.round(added / cpuSeconds).toLocaleString('en')} msg per CPU-second); file ${(statSync(path).size / 1e6).toFixed(0)} MB`);
      const deep = await store.find({ rowsPerPage: 1, page: Math.floor(size / 2) });
      const middle = deep.messages[0]?.envelope;
      const covered = (size / TOTAL) * SPAN;
      const shapes: [string, () => MessageQuery][] = [
        ['time window (1 day)', () => { const start = START + Math.floor(random() * (covered - 86_400_000)); return { start, end: start + 86_400_000 }; }],
        ['topic', () => ({ topics: [`org.fedoraproject.prod.${pick(CATEGORIES)}.${pick(EVENTS)}`] })],
        ['topic pattern', () => ({ topics: [`org.fedoraproject.prod.${pick(CATEGORIES)}.#`] })],
        ['category', () => ({ categories: [pick(CATEGORIES)] })],
        ['user', () => ({ users: [pick(USERS)] })],
        ['package', () => ({ packages: [pick(PACKAGES)] })],
        ['contains (word)', () => ({ contains: [`${pick(WORDS)} ${pick(WORDS)}`] })],
        ['contains + 1-week window', () => { const start = START + Math.floor(random() * (covered - 7 * 86_400_000)); return { contains: [pick(WORDS)], start, end: start + 7 * 86_400_000 }; }],
        ['notCategories', () => ({ notCategories: [pick(CATEGORIES)] })],
        ['notUsers + 1-day window', () => { const start = START + Math.floor(random() * (covered - 86_400_000)); return { notUsers: [pick(USERS)], start, end: start + 86_400_000 }; }],
        ['page 1 (no filter)', () => ({})],
        ['deep cursor page (middle)', () => ({ cursor: encodeCursor({}, { time: middle?.time ?? START, id: middle?.id ?? '', page: 2, window: {} }) })],
        ['deep offset page (middle)', () => ({ page: Math.floor(size / 50), rowsPerPage: 25 })],
      ];
      const row = new Map<string, { p50: number; p99: number }>();
      for (const [name, make] of shapes) {
        const figures = await time(store, make);
        row.set(name, figures);
        console.log(`${name.padEnd(28)} p50 ${figures.p50.toFixed(2).padStart(8)} ms   p99 ${figures.p99.toFixed(2).padStart(8)} ms`);
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
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
