import cluster from 'node:cluster';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUERY_DEFAULTS } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { createQueryServer, reportListening, startQueryWorkers, stopRequested } from '@statbus/query';
import { seedArchive } from './bench-seed.js';
import { benchShapes, type BenchShape } from './bench-shapes.js';
import { runLoad, type LoadClient } from './load-client.js';
import { queryVerdict, type ShapeFigures } from './bench-verdict.js';
import { headCommit, loadNow, machineDescription, takeSectionFlag, writeSection } from '../section-output.js';
import { processCpuMs } from '../../src/proc-cpu.js';
import { busyOfProfiled, profiledProcesses, selfTimesLine, summariseProcessProfiles, summariseThread } from '../../src/report/cpu-profile.js';

// npm run bench:query -- [sizes=100000] [seconds per shape=5] [connections=50] [--workers=2] [--cache=0,256] [--keep=DIR] [--only=TEXT|TEXT…] [--client=autocannon|wrk] [--profile=DIR] [--section=FILE]
//
// Per size: seeds one SQLite file (or reuses it from --keep), completes the deferred indexes (users, packages, agents, text), then per
// query shape measures (1) the store call alone (with every total counted again, and with the totals the store keeps) and the store call plus the route's shaping and JSON, in
// this process, one at a time, and (2) the HTTP API served by --workers processes (node:cluster, each with
// its own SQLite connection) under autocannon with 50 concurrent connections, without and with the answer
// cache. autocannon runs in this process, on the same machine: it takes CPU from the server (wrk, with
// --client=wrk, takes less: it must be installed, e.g. Debian's `wrk`). --only keeps the shapes whose name contains TEXT (or one of TEXT|TEXT…).
// --profile=DIR runs the server's workers under --cpu-prof (their profiles kept in DIR) and prints, after each load
// run (one run per shape, each with workers of its own), each worker's busy time and the functions with the most self time,
// and profiles this process while it asks the store for each shape first (every total counted); with --section the section written is
// then `query-profile` (the profiler slows the server: the rates of a profiled run are not the query section's).

/** A shape whose single request takes longer is not load-tested (50 of them queued would take minutes). */
const MAX_ALONE_MS = 1000;
/** Requests sent one at a time per shape over HTTP, after the load run. */
const SEQUENTIAL_RUNS = 100;
/** In-process timing: at most this many runs, and no more than this long, per shape. */
const STORE_RUNS = 100;
const STORE_BUDGET_MS = 3000;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function timeInProcess(run: () => Promise<unknown>): Promise<{ p50: number; p99: number; runs: number }> {
  for (let i = 0; i < 3; i += 1) await run();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < STORE_RUNS && (times.length < 5 || performance.now() - started < STORE_BUDGET_MS)) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), runs: times.length };
}

async function timeOne(url: string): Promise<number> {
  const started = performance.now();
  await fetch(url).then((response) => response.arrayBuffer());
  return performance.now() - started;
}

async function timeSequential(url: string): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_RUNS; i += 1) times.push(await timeOne(url));
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Waits until requests still queued from the last shape are done, so that they do not count against the next one. */
async function drained(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) if ((await timeOne(`${url}/live`)) < 20) return;
}

async function serveWorker(path: string, cacheEntries: number): Promise<void> {
  // Readers only: the deferred indexes are complete, and filling them is the writer's job.
  const store = new SqliteMessageStore(path, { indexInBackground: false });
  await store.init();
  const app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [], cache_entries: cacheEntries } });
  reportListening(await app.listen({ host: '127.0.0.1', port: 0 }));
  await stopRequested();
  await app.close();
  await store.close();
  process.exit(0);
}

/** CPU time (ms) the processes have used so far, from /proc (Linux; 10 ms ticks); NaN when one cannot be read. */
function cpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? Number.NaN), 0);
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/** Functions listed per profiled worker thread. */
const PROFILE_TOP = 8;
const PROFILE_COLUMNS = ['run', 'shape', 'process', 'thread', 'busy s / profiled s', 'functions with the most self time (share of busy time)'];
/** Every profiled worker thread's row, for `--section` with `--profile`. */
const profileRows: string[][] = [];

const COLUMNS = ['shape', 'store, asked first p50 / p99 (ms)', 'store, asked again p50 / p99 (ms)', 'store + shaping + JSON p50 / p99 (ms)', 'HTTP: first ask (ms)', 'HTTP one at a time p50 / p99 (ms)', 'HTTP p50 (ms)', 'HTTP p99 (ms)', 'requests/s', 'server CPU ms/request', 'errors/non-2xx'];
/** Every table row printed, with the size and the run it belongs to, for `--section`. */
const printedRows: string[][] = [];
/** Every shape's HTTP figures, for the goal's verdict. */
const measured: ShapeFigures[] = [];

/** Prints a table row and keeps it, cell by cell, for the section. */
function printRow(run: string, line: string): void {
  console.log(line);
  printedRows.push([run, ...line.replace(/^\| /u, '').replace(/ \|$/u, '').split(' | ')]);
}

/**
 * Runs `run` under V8's profiler in this process (node:inspector, every 100 µs) and prints (and keeps for the
 * section) where it spent its time: what a shape asked first costs, too short a request to show in a load run's profile.
 */
async function profiled<T>(file: string, run: string, shape: string, what: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    const summary = summariseThread(file, PROFILE_TOP + 1);
    // The profiler's own work (starting, stopping, handing the profile over) is not the shape's.
    const own = summary.top.find((entry) => entry.name.startsWith('post node:inspector'));
    const busyMs = summary.busyMs - (own?.ms ?? 0);
    const { totalMs } = summary;
    const functions = selfTimesLine(
      summary.top
        .filter((entry) => entry !== own)
        .slice(0, PROFILE_TOP)
        .map((entry) => ({ ...entry, share: entry.ms / busyMs })),
    );
    console.log(`where ${shape}, ${what}, spent its time (busy ${(busyMs / 1000).toFixed(1)} of ${(totalMs / 1000).toFixed(1)} s): ${functions}`);
    profileRows.push([run, shape, what, 'main thread', busyOfProfiled(busyMs, totalMs), functions]);
    return result;
  } finally {
    session.disconnect();
  }
}

async function inProcess(path: string, shapes: readonly BenchShape[], profile?: { readonly directory: string; readonly size: number }): Promise<Map<string, string>> {
  const store = new SqliteMessageStore(path, { indexInBackground: false });
  // The same queries with every total counted again and every row in front of a page passed: what a filter set
  // asked for the first time costs.
  const counting = new SqliteMessageStore(path, { indexInBackground: false, totalCacheEntries: 0, pageAnchorSets: 0 });
  await store.init();
  await counting.init();
  const cells = new Map<string, string>();
  try {
    for (const shape of shapes) {
      const asked = (): Promise<{ p50: number; p99: number; runs: number }> => timeInProcess(() => shape.store(counting));
      const first =
        profile === undefined
          ? await asked()
          : await profiled(join(profile.directory, `${profile.size}-first-ask-${shapes.indexOf(shape)}.cpuprofile`), `${profile.size.toLocaleString('en')} messages, in process`, shape.name, 'the store alone, asked first (totals counted, no page anchors)', asked);
      const alone = await timeInProcess(() => shape.store(store));
      const answer = await timeInProcess(() => shape.answer(store));
      cells.set(shape.name, `${fmt(first.p50)} / ${fmt(first.p99)} | ${fmt(alone.p50)} / ${fmt(alone.p99)} | ${fmt(answer.p50)} / ${fmt(answer.p99)}`);
    }
  } finally {
    await store.close();
    await counting.close();
  }
  return cells;
}

/** Prints (and keeps for the section) where each profiled worker of `run` spent its time. */
function reportProfiles(directory: string, run: string, shapes: readonly BenchShape[]): void {
  const names = shapes.map((shape) => shape.name).join(', ');
  console.log(`where the workers spent their time (${names}, under --cpu-prof, profiles in ${directory}):`);
  profiledProcesses(directory).forEach((pid, index) => {
    // The main thread only: a query worker starts no thread of its own (its store leaves indexing to the archiver);
    // the other one is tsx's module loader, there because the benchmark runs from the sources.
    for (const thread of summariseProcessProfiles(directory, `query worker ${index + 1}`, PROFILE_TOP, pid).filter((profiled) => profiled.thread === 'main thread')) {
      const functions = selfTimesLine(thread.top);
      console.log(`  ${thread.process}, ${thread.thread}: busy ${(thread.busyMs / 1000).toFixed(1)} of ${(thread.totalMs / 1000).toFixed(1)} s: ${functions}`);
      profileRows.push([run, names, thread.process, thread.thread, busyOfProfiled(thread.busyMs, thread.totalMs), functions]);
    }
  });
}

async function loadRun(path: string, shapes: readonly BenchShape[], cells: Map<string, string>, options: { size: number; workers: number; cacheEntries: number; seconds: number; connections: number; client: LoadClient; profile: string | undefined; part?: number }): Promise<void> {
  const run = `${options.size.toLocaleString('en')} messages, ${options.workers} worker(s), cache ${options.cacheEntries}`;
  const profileDir = options.profile === undefined ? undefined : join(options.profile, `${options.size}-workers-${options.workers}-cache-${options.cacheEntries}${options.part === undefined ? '' : `-${options.part}`}`);
  if (profileDir !== undefined) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const execArgv = profileDir === undefined ? process.execArgv : [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: ['--serve', path, String(options.cacheEntries)], execArgv });
  const server = await startQueryWorkers({ count: options.workers });
  try {
    console.log(`\n${options.client}, workers = ${options.workers}, cache_entries = ${options.cacheEntries}${options.cacheEntries === 0 ? ' (every request asks the store, which keeps each filter set\'s total)' : ' (the same URL again: answered from the cache while the archive is unchanged)'}; load average at start ${load()}`);
    console.log(`| ${COLUMNS.join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|`);
    // Every code path compiled before the first shape's first ask, on a filter set no shape uses.
    for (let i = 0; i < options.workers * 20; i += 1) await timeOne(`${server.url}/raw?topic=warm.up.only&rows_per_page=100`);
    for (const shape of shapes) {
      const url = `${server.url}${shape.path}`;
      const firstAsk = await timeOne(url);
      const prefix = `| ${shape.name} | ${cells.get(shape.name) ?? '— | — | —'} | ${fmt(firstAsk)}`;
      const figures = { size: options.size, workers: options.workers, cacheEntries: options.cacheEntries, shape: shape.name, firstAsk };
      if (firstAsk > MAX_ALONE_MS) {
        printRow(run, `${prefix} | — | — | — | — | — | load run skipped: one request alone takes over ${MAX_ALONE_MS} ms |`);
        measured.push({ ...figures, sequentialP99: firstAsk, loadP99: undefined });
        continue;
      }
      const cpuBefore = cpuMs(server.pids());
      const result = await runLoad(options.client, url, options.connections, options.seconds);
      const perRequest = (cpuMs(server.pids()) - cpuBefore) / Math.max(1, result.requestsPerSecond * options.seconds);
      await drained(server.url);
      const sequential = await timeSequential(url);
      printRow(run, `${prefix} | ${fmt(sequential.p50)} / ${fmt(sequential.p99)} | ${fmt(result.p50)} | ${fmt(result.p99)} | ${Math.round(result.requestsPerSecond).toLocaleString('en')} | ${perRequest.toFixed(2)} | ${result.errors}/${result.non2xx} |`);
      measured.push({ ...figures, sequentialP99: sequential.p99, loadP99: result.p99 });
    }
    console.log(`load average at end ${load()}`);
  } finally {
    await server.close();
  }
  if (profileDir !== undefined) reportProfiles(profileDir, run, shapes);
}

async function benchSize(size: number, keep: string | undefined, options: { workers: readonly number[]; caches: readonly number[]; seconds: number; connections: number; only: string | undefined; client: LoadClient; profile: string | undefined }): Promise<void> {
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'statbus-bench-query-'));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `archive-${size}.db`);
  try {
    const seeded = await seedArchive(path, size);
    const shapes = benchShapes(seeded).filter((shape) => options.only === undefined || options.only.split('|').some((text) => shape.name.includes(text)));
    const seeding = seeded.messagesPerSecond === undefined ? `reused ${path}` : `seeded at ${seeded.messagesPerSecond.toFixed(0)} msg/s, synchronous = NORMAL`;
    console.log(`\n${size.toLocaleString('en')} messages (${seeding}; deferred indexes completed in ${(seeded.indexMs / 1000).toFixed(1)} s before measuring); ${options.connections} connections, ${options.seconds} s per shape; load average ${load()}`);
    if (options.profile !== undefined) mkdirSync(options.profile, { recursive: true });
    const cells = await inProcess(path, shapes, options.profile === undefined ? undefined : { directory: options.profile, size });
    for (const workers of options.workers) {
      for (const cacheEntries of options.caches) {
        const run = { size, workers, cacheEntries, seconds: options.seconds, connections: options.connections, client: options.client, profile: options.profile };
        if (options.profile === undefined) await loadRun(path, shapes, cells, run);
        // Profiled, each shape has workers of its own: their profiles are the shape's alone.
        else for (const [part, shape] of shapes.entries()) await loadRun(path, [shape], cells, { ...run, part });
      }
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function option(args: readonly string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (cluster.isWorker) return serveWorker(args[1] ?? '', Number(args[2] ?? 0));
  const sectionFile = takeSectionFlag(args);
  const startedAt = new Date();
  const loadAtStart = loadNow();
  const [sizes = '100000', seconds = '5', connections = '50'] = args.filter((arg) => !arg.startsWith('--'));
  const list = (value: string | undefined, fallback: number[]): number[] => (value === undefined ? fallback : value.split(',').map(Number));
  const options = {
    workers: list(option(args, 'workers'), [Math.min(2, availableParallelism())]),
    caches: list(option(args, 'cache'), [0, QUERY_DEFAULTS.cache_entries]),
    seconds: Number(seconds),
    connections: Number(connections),
    only: option(args, 'only'),
    client: option(args, 'client') === 'wrk' ? ('wrk' as const) : ('autocannon' as const),
    profile: option(args, 'profile'),
  };
  console.log(`statbus query benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${load()}`);
  for (const size of sizes.split(',').map(Number)) await benchSize(size, option(args, 'keep'), options);
  const notes = queryVerdict(measured, options.connections);
  if (notes.length > 0) console.log(`\n${notes.map((note) => `- ${note}`).join('\n')}`);
  if (sectionFile !== undefined) {
    const common = {
      date: startedAt.toISOString(),
      machine: machineDescription(),
      commit: headCommit(),
      load: `${loadAtStart.toFixed(2)} → ${loadNow().toFixed(2)}`,
      command: `npm run bench:query -- ${args.map((arg) => (/[\s|()&;<>*?$'"]/u.test(arg) ? `'${arg}'` : arg)).join(' ')}`,
    };
    if (options.profile !== undefined) {
      writeSection(sectionFile, {
        ...common,
        section: 'query-profile',
        title: 'Where the query server\'s time goes: CPU profiles of bench:query',
        summary: `Per shape, first the store alone in the benchmark's process, asked for it again and again as a filter set asked for the first time (every total counted, no page anchors; profiled through node:inspector every 100 µs), then the query server's workers (their own for each shape) under node --cpu-prof while ${options.client} (${options.connections} keep-alive connections for ${options.seconds} s, on the same machine) and the one-at-a-time requests asked for it. Per profile: the time busy out of the time profiled (a worker's start-up included), and the functions with the most self time as shares of the busy time; native code counts to the JavaScript function that called it (pageRows is SQLite stepping through a page's rows and handing their columns to JavaScript, pageOfMatches checking the bodies of the text index's candidates). Profiled code runs slower: the rates are the query section's.`,
        table: { columns: PROFILE_COLUMNS, rows: profileRows },
      });
    } else {
      writeSection(sectionFile, {
        ...common,
        section: 'query',
        title: 'The query API over HTTP',
        summary: `The store contract's fixture, deferred indexes completed first; per shape the store asked first (no totals kept) and again, with the route's shaping, and over HTTP from ${options.client} with ${options.connections} keep-alive connections for ${options.seconds} s, on the same machine as the server.`,
        table: { columns: ['run', ...COLUMNS], rows: printedRows },
        notes,
      });
    }
  }
}

await main();
