import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../../src/run/free-port.js';
import { deleteAmqpNames } from '../../src/run/amqp-names.js';
import type { BenchSection } from '../../src/docs/bench-section.js';
import { headCommit, loadNow, machineDescription, writeSection } from '../section-output.js';
import { readProbeSamples, series, type ProbeSample } from './probe-samples.js';
import { floorSlopeMiBPerMinute, rssSlopeMiBPerMinute } from './rss-slope.js';

// npm run soak -- --minutes 10 --rate 5000 --transport zeromq|amqp [--cache-mb 32] [--serve-cache-mb 2] [--section FILE] [--keep] [--heap-snapshots]
// Not in CI: a relay (ZeroMQ) or the shared broker (AMQP), `statbus nom`, `statbus serve` and `statbus publish`
// as separate processes, a steady stream plus queries; a status line every 30 s; passes when nothing published is
// missing from the archive and, over the last 5 minutes, neither the live heap (after a full collection) nor the
// floor of the anonymous memory outside V8's heap, of the archiver, the query API or the relay grows by 1 MiB/min or more (see RULE).
// --heap-snapshots: SIGUSR2 makes them write a heap snapshot into the archive directory (with --keep, to compare).
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '5000' },
    transport: { type: 'string', default: 'zeromq' },
    section: { type: 'string' },
    'amqp-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672/%2F' },
    keep: { type: 'boolean', default: false },
    'cache-mb': { type: 'string', default: '32' },
    'serve-cache-mb': { type: 'string', default: '2' },
    'heap-snapshots': { type: 'boolean', default: false },
  },
  strict: true,
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const transport = values.transport;
const cacheMb = Number(values['cache-mb']);
const serveCacheMb = Number(values['serve-cache-mb']);
const sizes = [cacheMb, serveCacheMb];
if (!(minutes > 0) || !(rate > 0) || (transport !== 'zeromq' && transport !== 'amqp') || !sizes.every((size) => Number.isInteger(size) && size >= 0)) {
  process.stderr.write('usage: npm run soak -- --minutes N --rate MSG_PER_S --transport zeromq|amqp [--cache-mb MIB] [--serve-cache-mb MIB]\n');
  process.exit(2);
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/statbus.js');
const REPORT_EVERY_MS = 30_000;
const SLOPE_WINDOW_MS = 5 * 60_000;
/** Start-up growth (JIT, the page cache and the query caches filling) is not a leak: the slopes leave out the first minute. */
const WARM_UP_MS = 60_000;
const MAX_SLOPE_MIB_PER_MIN = 1;
/** The anonymous memory's floor is its lowest sample in each such span. */
const FLOOR_BUCKET_MS = 60_000;
const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'heap-probe.js');
const PROBE_EVERY_MS = 15_000;
const RULE =
  `Passes when nothing published is missing from the archive and, over the last 5 minutes of the stream (the first minute left out), for the archiver, the query API and the relay, ` +
  `(1) the live heap, sampled every ${PROBE_EVERY_MS / 1000} s right after a full garbage collection, grows by less than ${MAX_SLOPE_MIB_PER_MIN} MiB/min (least-squares slope), and ` +
  `(2) the floor (lowest sample of each minute, least-squares slope) of the anonymous memory outside V8's heap (RssAnon less heapTotal, right after the same collection: SQLite's page cache, ZeroMQ's and the allocator's buffers) grows by less than ${MAX_SLOPE_MIB_PER_MIN} MiB/min. ` +
  `Resident memory swings by tens of MiB at these rates (garbage not yet collected, V8 resizing its heap, the allocator keeping freed memory for a while), so a raw RSS slope over 5 minutes says more about when the samples fell than about a leak. ` +
  `Bounded caches are full before the window: SQLite's page cache ([sink.sqlite] cache_mb, 256 MiB by default) is set to ${cacheMb} MiB for the archiver, whose writes fill it within seconds, ` +
  `and to ${serveCacheMb} MiB for the query API, whose reads fill a larger one in steps over many minutes (with 32 MiB its memory outside V8's heap stayed at 17-18 MiB for 8 minutes, then rose to 29 MiB within a minute and stayed there); ` +
  `the query API's caches of totals and page anchors (bounded by entry count) take an entry per /raw time window and fill at a fraction of a MiB/min.`;
const TOPIC = 'org.statbus.dev.soak.tick';

const dir = mkdtempSync(join(tmpdir(), 'statbus-soak-'));
const names = { exchange: `statbus.soak.${process.pid}.${Date.now()}`, queue: `statbus.soak.${process.pid}.${Date.now()}.archive` };
const [inbound, outbound, queryPort, healthPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const configText = (cache: number): string =>
  [
    `transport = "${transport}"`,
    `store = "sqlite:${join(dir, 'archive.db')}"`,
    '[zeromq]',
    `relay_inbound = "tcp://127.0.0.1:${inbound}"`,
    `relay_outbound = "tcp://127.0.0.1:${outbound}"`,
    '[amqp]',
    `url = "${values['amqp-url']}"`,
    `exchange = "${names.exchange}"`,
    `dead_letter_exchange = "${names.exchange}.dlx"`,
    `dead_letter_queue = "${names.exchange}.dead"`,
    '[sink]',
    `queue = "${names.queue}"`,
    '[sink.sqlite]',
    `cache_mb = ${cache}`,
    '[query]',
    `port = ${queryPort}`,
    '',
  ].join('\n');
// The query API reads its own copy, with its own page cache size.
writeFileSync(join(dir, 'statbus.toml'), configText(cacheMb));
writeFileSync(join(dir, 'serve.toml'), configText(serveCacheMb));

const children: ChildProcess[] = [];
const probeFile = (name: string): string => join(dir, `${name}.probe.jsonl`);
function start(name: string, args: readonly string[], probed = false, config = 'statbus.toml'): ChildProcess {
  const nodeArgs = probed ? ['--expose-gc', '--import', PROBE, ...(values['heap-snapshots'] ? ['--heapsnapshot-signal=SIGUSR2'] : [])] : [];
  const probeEnv = probed ? { SOAK_HEAP_PROBE: probeFile(name), SOAK_HEAP_PROBE_MS: String(PROBE_EVERY_MS) } : {};
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, STATBUS_CONFIG: join(dir, config), ...probeEnv } });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.once('exit', (code) => {
    if (!stopping && name !== 'publish') process.stderr.write(`soak: ${name} exited early (${code}):\n${stderr}\n`);
  });
  Object.assign(child, { lastStderr: () => stderr });
  children.push(child);
  return child;
}
const stderrOf = (child: ChildProcess): string => (child as ChildProcess & { lastStderr: () => string }).lastStderr();

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((done) => setTimeout(done, 200));
  }
  return false;
}
/**
 * A process's resident memory in MiB: `VmRSS`, or `RssAnon` (the heap and SQLite's page cache, without the
 * pages of the archive file SQLite maps, which grow with the file and are the kernel's to drop).
 */
function rssMiB(child: ChildProcess | undefined, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  if (child?.pid === undefined || !existsSync(`/proc/${child.pid}/status`)) return Number.NaN;
  const match = new RegExp(`${field}:\\s+(\\d+) kB`, 'u').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}
const archivedCount = async (): Promise<number> => Number((await getJson(`http://127.0.0.1:${queryPort}/count?topic=${TOPIC}`))?.['count'] ?? Number.NaN);
/** Every numeric counter of nom's /ready report, flattened (`archiver.archived`, gaps and dead letters where the transport reports them). */
async function counters(): Promise<Record<string, number>> {
  const flat: Record<string, number> = {};
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') flat[path] = value;
    else if (typeof value === 'object' && value !== null) for (const [key, inner] of Object.entries(value)) walk(inner, path === '' ? key : `${path}.${key}`);
  };
  walk(await getJson(`http://127.0.0.1:${healthPort}/ready`), '');
  return flat;
}
const pick = (flat: Record<string, number>, pattern: RegExp): number => Object.entries(flat).filter(([key]) => pattern.test(key)).reduce((sum, [, value]) => sum + value, 0);

let stopping = false;
const loadStart = loadNow();
const relay = transport === 'zeromq' ? start('relay', ['relay'], true) : undefined;
const nom = start('nom', ['nom', '--health-port', String(healthPort)], true);
const serve = start('serve', ['serve'], true, 'serve.toml');
// Generous: on a loaded machine the three processes take a while to load and connect.
if (!(await until(async () => (await getJson(`http://127.0.0.1:${healthPort}/ready`)) !== undefined && !Number.isNaN(await archivedCount()), 180_000))) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  if (transport === 'amqp') await deleteAmqpNames(values['amqp-url'], names);
  throw new Error(`the archiver or the query API did not start:\nnom: ${stderrOf(nom)}\nserve: ${stderrOf(serve)}`);
}
const publisher = start('publish', ['publish', '--json', '--topic', 'soak.tick', '-']);

const samples: { t: number; nom: number; serve: number; relay: number; nomAnon: number; serveAnon: number; relayAnon: number }[] = [];
let written = 0;
let queries = 0;
let queryErrors = 0;
const began = Date.now();
const endAt = began + minutes * 60_000;
let nextReport = began + REPORT_EVERY_MS;
console.log(`soak: ${transport}, ${rate} msg/s for ${minutes} min; archive in ${dir}`);

async function report(): Promise<void> {
  const flat = await counters();
  const sample = { t: Date.now() - began, nom: rssMiB(nom), serve: rssMiB(serve), relay: rssMiB(relay), nomAnon: rssMiB(nom, 'RssAnon'), serveAnon: rssMiB(serve, 'RssAnon'), relayAnon: rssMiB(relay, 'RssAnon') };
  samples.push(sample);
  const archived = await archivedCount();
  const live = (name: string): string => (readProbeSamples(probeFile(name)).at(-1)?.heapUsed ?? Number.NaN).toFixed(1);
  console.log(
    `${(sample.t / 1000).toFixed(0).padStart(5)} s  sent ${written}  archived ${archived}  gaps ${pick(flat, /gap/iu)} (refilled ${pick(flat, /refill|replay/iu)}, lost ${pick(flat, /lost/iu)})` +
      `  dead letters ${pick(flat, /rejected|dead/iu)}  queries ${queries} (${queryErrors} failed)  RSS (anon) MiB nom ${sample.nom.toFixed(1)} (${sample.nomAnon.toFixed(1)}) serve ${sample.serve.toFixed(1)} (${sample.serveAnon.toFixed(1)})${relay === undefined ? '' : ` relay ${sample.relay.toFixed(1)} (${sample.relayAnon.toFixed(1)})`}` +
      `  live heap MiB nom ${live('nom')} serve ${live('serve')}${relay === undefined ? '' : ` relay ${live('relay')}`}`,
  );
}

// The stream: a tenth of the rate every 100 ms, waiting on the publisher's stdin when it pushes back.
const input = publisher.stdin;
if (input === null) throw new Error('no stdin to the publisher');
const queryLoop = (async () => {
  while (Date.now() < endAt) {
    queries += 2;
    const [count, raw] = await Promise.all([getJson(`http://127.0.0.1:${queryPort}/count?topic=${TOPIC}`), getJson(`http://127.0.0.1:${queryPort}/raw?topic=${TOPIC}&rows_per_page=20&delta=60`)]);
    if (count === undefined || raw === undefined || 'error' in count || 'error' in raw) queryErrors += 1;
    await new Promise((done) => setTimeout(done, 250));
  }
})();
await report();
// Its own loop: a publisher that pushes back must not delay the status lines.
const reportLoop = (async () => {
  while (Date.now() < endAt) {
    await new Promise((done) => setTimeout(done, Math.max(0, Math.min(nextReport, endAt) - Date.now())));
    if (Date.now() >= endAt) return;
    nextReport += REPORT_EVERY_MS;
    await report();
  }
})();
// Stops at the end time even when behind: a publisher slower than the rate asked is a figure, not a debt to pay.
for (let tick = Date.now(); tick < endAt && Date.now() < endAt; tick += 100) {
  const wait = tick - Date.now();
  if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  const lines: string[] = [];
  for (let index = 0; index < rate / 10; index += 1) lines.push(`{"n":${written + index}}`);
  written += lines.length;
  if (!input.write(`${lines.join('\n')}\n`)) await once(input, 'drain');
}
input.end();
const [code] = (await once(publisher, 'exit')) as [number | null];
await queryLoop;
await reportLoop;
const summary = /(\d+) published(?:, (\d+) refused)?/u.exec(stderrOf(publisher));
const published = Number(summary?.[1] ?? 0);
const refused = Number(summary?.[2] ?? 0);
// The archive may be behind: wait while it keeps catching up, and stop once it holds everything or stalls.
for (let seen = -1, now = await archivedCount(); now < published && now > seen; now = await archivedCount()) {
  seen = now;
  await until(async () => (await archivedCount()) >= published, 30_000);
}
await report();
const archived = await archivedCount();
const flat = await counters();
stopping = true;
for (const child of children) child.kill('SIGTERM');
await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : Promise.resolve())));
if (transport === 'amqp') await deleteAmqpNames(values['amqp-url'], names);
const probed: Record<string, ProbeSample[]> = { nom: readProbeSamples(probeFile('nom')), serve: readProbeSamples(probeFile('serve')), ...(relay !== undefined && { relay: readProbeSamples(probeFile('relay')) }) };
if (!values.keep) rmSync(dir, { recursive: true, force: true });

// The window ends with the stream: an archiver still catching up afterwards is working without the queries.
const lastT = Math.min(samples[samples.length - 1]?.t ?? 0, minutes * 60_000);
const windowFrom = Math.max(lastT - SLOPE_WINDOW_MS, WARM_UP_MS);
/**
 * Per process, over the window: the least-squares slope of the live heap (right after a full collection), and of
 * the floor of the anonymous memory outside V8's heap (sampled right after the same collection: native buffers and
 * SQLite's page cache; not the mapped archive file, which grows with the archive by design).
 */
const trends = Object.fromEntries(
  Object.entries(probed).map(([name, probe]) => {
    const heap = series(probe, 'heapUsed', began, windowFrom, lastT);
    const floor = floorSlopeMiBPerMinute(series(probe, 'native', began, windowFrom, lastT), FLOOR_BUCKET_MS);
    return [name, { heap: rssSlopeMiBPerMinute(heap), floor, liveEnd: heap.at(-1)?.[1] ?? Number.NaN, samples: heap.length }];
  }),
);
const missing = Math.max(0, published - archived);
// A process without samples in the window was not measured: that fails too.
const slopeOk = Object.values(trends).every(({ heap, floor }) => heap < MAX_SLOPE_MIB_PER_MIN && floor < MAX_SLOPE_MIB_PER_MIN);
const passed = missing === 0 && slopeOk && code !== null;
const elapsedS = (Date.now() - began) / 1000;
const fixed = (value: number | undefined): string => (value ?? Number.NaN).toFixed(2);
const perProcess = (pick: (trend: (typeof trends)[string]) => number): string => Object.values(trends).map((trend) => fixed(pick(trend))).join(' / ');
console.log(
  `soak ${passed ? 'PASSED' : 'FAILED'}: ${written} written, ${published} published (${refused} refused, publisher exit ${code}), ${archived} archived, ${missing} missing; ` +
    `from ${(windowFrom / 60_000).toFixed(1)} to ${(lastT / 60_000).toFixed(1)} min, MiB/min (${Object.keys(trends).join(' / ')}): live heap ${perProcess((trend) => trend.heap)}, native floor ${perProcess((trend) => trend.floor)} ` +
    `(${Object.values(trends).map((trend) => trend.samples).join(' / ')} samples); rule: ${RULE}`,
);

const file = values.section ?? join(ROOT, 'docs/bench-results/soak.json');
mkdirSync(dirname(file), { recursive: true });
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchSection) : undefined;
const COLUMNS = [
  'transport',
  'run',
  'asked msg/s',
  'published msg/s',
  'published',
  'archived',
  'missing',
  'gaps',
  'dead letters',
  'queries (failed)',
  'RSS MiB nom / serve (end)',
  'live heap MiB nom / serve (end)',
  'live heap slope MiB/min nom / serve (/ relay)',
  'native floor slope MiB/min nom / serve (/ relay)',
  'load (start → end)',
  'result',
];
const row = [
  transport,
  `${minutes} min`,
  rate,
  Math.round(published / elapsedS),
  published,
  archived,
  missing,
  pick(flat, /gap/iu),
  pick(flat, /rejected|dead/iu),
  `${queries} (${queryErrors})`,
  `${(samples[samples.length - 1]?.nom ?? Number.NaN).toFixed(0)} / ${(samples[samples.length - 1]?.serve ?? Number.NaN).toFixed(0)}`,
  `${(trends['nom']?.liveEnd ?? Number.NaN).toFixed(1)} / ${(trends['serve']?.liveEnd ?? Number.NaN).toFixed(1)}`,
  perProcess((trend) => trend.heap),
  perProcess((trend) => trend.floor),
  `${loadStart.toFixed(1)} → ${loadNow().toFixed(1)}`,
  passed ? 'pass' : 'FAIL',
];
// Rows of an earlier layout of the table (other columns) are not comparable: they go.
const kept = previous?.table.columns.join('|') === COLUMNS.join('|') ? previous.table.rows.filter((other) => other[0] !== transport || other[2] !== rate) : [];
const section: BenchSection = {
  section: 'soak',
  title: 'Soak: a steady stream into the archive, with queries',
  date: new Date().toISOString(),
  machine: machineDescription(),
  commit: headCommit(),
  load: `${loadStart.toFixed(2)} → ${loadNow().toFixed(2)}`,
  command: 'npm run soak -- --minutes N --rate R --transport zeromq|amqp',
  summary: `statbus publish, a relay (ZeroMQ) or RabbitMQ, statbus nom and statbus serve as separate processes; two queries (/count and /raw) every quarter of a second beside the stream. ${RULE}`,
  table: { columns: COLUMNS, rows: [...kept, row] },
  notes: [
    'Each transport and asked rate keeps its own row; a new run of one replaces its row only. A transport whose archiver falls behind at the rate asked on a loaded machine is also run at a lower rate.',
    `Load average (start → end) of this section's last run: ${loadStart.toFixed(2)} → ${loadNow().toFixed(2)}, ${transport} at ${rate} msg/s.`,
  ],
};
writeSection(file, section);
process.exit(passed ? 0 : 1);
