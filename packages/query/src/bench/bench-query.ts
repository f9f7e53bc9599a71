import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUERY_DEFAULTS } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { FIXTURE_PREFIX, makeStoreFixture } from '@statbus/testing';
import { createQueryServer } from '../server/create-query-server.js';

// `npm run bench:query -w @statbus/query -- [sizes=100000] [seconds per shape=5] [connections=50]`
// Seeds one SQLite file per size, serves it from a child process (so the load generator and the server do
// not share an event loop), and runs autocannon with 50 concurrent connections against each query shape.

interface AutocannonResult {
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly requests: { readonly average: number };
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number; pipelining?: number }) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const CHUNK = 20_000;
const BATCH = 1000;

async function serve(path: string, cacheEntries: number): Promise<void> {
  const store = new SqliteMessageStore(path);
  await store.init();
  const app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [], cache_entries: cacheEntries } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ url });
  process.once('disconnect', () => {
    void app.close().then(() => store.close()).then(() => process.exit(0));
  });
}

async function seed(path: string, size: number): Promise<{ msPerMessage: number; lastTime: number; someId: string; user: string; pkg: string; topic: string }> {
  const store = new SqliteMessageStore(path, { synchronous: 'NORMAL' });
  await store.init();
  const started = performance.now();
  let lastTime = 0;
  let someId = '';
  for (let offset = 0, chunk = 0; offset < size; offset += CHUNK, chunk += 1) {
    const { messages } = makeStoreFixture({ count: Math.min(CHUNK, size - offset), seed: 1000 + chunk });
    for (let i = 0; i < messages.length; i += BATCH) await store.insertMany(messages.slice(i, i + BATCH));
    for (const message of messages) lastTime = Math.max(lastTime, message.envelope.time);
    someId = messages[Math.floor(messages.length / 2)]?.envelope.id ?? someId;
  }
  const msPerMessage = (performance.now() - started) / size;
  await store.close();
  const fixture = makeStoreFixture({ count: 1 });
  return { msPerMessage, lastTime, someId, user: fixture.users[3] ?? 'ralph', pkg: fixture.packages[5] ?? 'systemd', topic: `${FIXTURE_PREFIX}.bodhi.update.comment` };
}

async function deepCursor(path: string): Promise<string> {
  const store = new SqliteMessageStore(path);
  await store.init();
  try {
    return (await store.find({ rowsPerPage: 100, page: 400 })).nextCursor ?? '';
  } finally {
    await store.close();
  }
}

function startServer(path: string, cacheEntries: number): Promise<{ url: string; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', path, String(cacheEntries)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message) => resolve({ url: (message as { url: string }).url, stop: () => child.disconnect() }));
  });
}

/** A shape whose single request takes longer is not load-tested (50 of them queued would take minutes). */
const MAX_ALONE_MS = 1000;

async function timeOne(url: string): Promise<number> {
  const started = performance.now();
  await fetch(url).then((response) => response.arrayBuffer());
  return performance.now() - started;
}

/** Waits until requests still queued from the last shape are done, so that they do not count against the next one. */
async function drained(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) if ((await timeOne(`${url}/live`)) < 20) return;
}

async function benchSize(size: number, seconds: number, connections: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-query-'));
  const path = join(dir, 'archive.db');
  try {
    const seeded = await seed(path, size);
    const cursor = await deepCursor(path);
    const end = (seeded.lastTime + 1) / 1000;
    const shapes: [string, string][] = [
      ['/raw (no filter, page 1)', '/raw'],
      ['/raw?category=bodhi', '/raw?category=bodhi'],
      ['/raw?user=…', `/raw?user=${seeded.user}`],
      ['/raw?package=…', `/raw?package=${seeded.pkg}`],
      ['/raw?topic=…', `/raw?topic=${seeded.topic}`],
      ['/raw?topic=…koji.# (pattern)', `/raw?topic=${FIXTURE_PREFIX}.koji.%23`],
      ['/raw 1-day window (end + delta)', `/raw?end=${end}&delta=86400`],
      ['/raw?contains=… + 1-day window', `/raw?contains=karma&end=${end}&delta=86400`],
      ['/raw?contains=… (whole archive)', '/raw?contains=cve-2024'],
      ['/raw?not_category=koji', '/raw?not_category=koji'],
      ['/raw deep cursor (row 40,000)', `/raw?rows_per_page=100&cursor=${cursor}`],
      ['/raw deep offset (page 400 × 100)', '/raw?rows_per_page=100&page=400'],
      ['/v2/search?category=koji&user=…', `/v2/search?category=koji&user=${seeded.user}`],
      ['/v2/id', `/v2/id?id=${seeded.someId}`],
      ['/count (unfiltered)', '/count'],
      ['/count?category=koji', '/count?category=koji'],
      ['/topics', '/topics'],
    ];
    console.log(`\n${size.toLocaleString('en')} messages (seeded at ${(1000 / seeded.msPerMessage).toFixed(0)} msg/s, synchronous = NORMAL); ${connections} connections, ${seconds} s per shape`);
    for (const cacheEntries of [0, QUERY_DEFAULTS.cache_entries]) {
      const server = await startServer(path, cacheEntries);
      try {
        console.log(`\ncache_entries = ${cacheEntries}${cacheEntries === 0 ? ' (every request asks the store)' : ' (the same URL again: answered from the cache while the archive is unchanged)'}`);
        console.log('| shape | 1 request alone (ms) | p50 (ms) | p99 (ms) | requests/s | errors/non-2xx |\n|---|---|---|---|---|---|');
        for (const [name, path] of shapes) {
          await fetch(`${server.url}${path}`).then((response) => response.arrayBuffer());
          const alone = await timeOne(`${server.url}${path}`);
          if (alone > MAX_ALONE_MS) {
            console.log(`| ${name} | ${alone.toFixed(0)} | — | — | — | load run skipped: one request alone takes over ${MAX_ALONE_MS} ms |`);
            continue;
          }
          const result = await autocannon({ url: `${server.url}${path}`, connections, duration: seconds });
          console.log(`| ${name} | ${alone.toFixed(1)} | ${result.latency.p50} | ${result.latency.p99} | ${Math.round(result.requests.average).toLocaleString('en')} | ${result.errors + result.timeouts}/${result.non2xx} |`);
          await drained(server.url);
        }
      } finally {
        server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [first, second, third, fourth] = process.argv.slice(2);
  if (first === '--serve' && second !== undefined) return serve(second, Number(third ?? 0));
  const sizes = (first ?? '100000').split(',').map(Number);
  const seconds = Number(second ?? 5);
  const connections = Number(third ?? fourth ?? 50);
  console.log(`statbus query benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  for (const size of sizes) await benchSize(size, seconds, connections);
}

await main();
