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
import { rssSlopeMiBPerMinute } from './rss-slope.js';

// npm run soak -- --minutes 10 --rate 5000 --transport zeromq|amqp [--section FILE] [--keep]
// Not in CI: a relay (ZeroMQ) or the shared broker (AMQP), `statbus nom`, `statbus serve` and `statbus publish`
// as separate processes, a steady stream plus queries; a status line every 30 s; passes when nothing
// published is missing from the archive and no process's RSS grows by 1 MiB/min or more over the last 5 minutes.
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '5000' },
    transport: { type: 'string', default: 'zeromq' },
    section: { type: 'string' },
    'amqp-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672/%2F' },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const transport = values.transport;
if (!(minutes > 0) || !(rate > 0) || (transport !== 'zeromq' && transport !== 'amqp')) {
  process.stderr.write('usage: npm run soak -- --minutes N --rate MSG_PER_S --transport zeromq|amqp\n');
  process.exit(2);
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/statbus.js');
const REPORT_EVERY_MS = 30_000;
const SLOPE_WINDOW_MS = 5 * 60_000;
/** Start-up growth (JIT, caches, SQLite's page cache filling) is not a leak: the slope leaves out the first minute. */
const WARM_UP_MS = 60_000;
const MAX_SLOPE_MIB_PER_MIN = 1;
const TOPIC = 'org.statbus.dev.soak.tick';

const dir = mkdtempSync(join(tmpdir(), 'statbus-soak-'));
const names = { exchange: `statbus.soak.${process.pid}.${Date.now()}`, queue: `statbus.soak.${process.pid}.${Date.now()}.archive` };
const [inbound, outbound, queryPort, healthPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
writeFileSync(
  join(dir, 'statbus.toml'),
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
    '[query]',
    `port = ${queryPort}`,
    '',
  ].join('\n'),
);

const children: ChildProcess[] = [];
function start(name: string, args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, STATBUS_CONFIG: join(dir, 'statbus.toml') } });
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
const relay = transport === 'zeromq' ? start('relay', ['relay']) : undefined;
const nom = start('nom', ['nom', '--health-port', String(healthPort)]);
const serve = start('serve', ['serve']);
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
  console.log(
    `${(sample.t / 1000).toFixed(0).padStart(5)} s  sent ${written}  archived ${archived}  gaps ${pick(flat, /gap/iu)} (refilled ${pick(flat, /refill|replay/iu)}, lost ${pick(flat, /lost/iu)})` +
      `  dead letters ${pick(flat, /rejected|dead/iu)}  queries ${queries} (${queryErrors} failed)  RSS (anon) MiB nom ${sample.nom.toFixed(1)} (${sample.nomAnon.toFixed(1)}) serve ${sample.serve.toFixed(1)} (${sample.serveAnon.toFixed(1)})${relay === undefined ? '' : ` relay ${sample.relay.toFixed(1)} (${sample.relayAnon.toFixed(1)})`}`,
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
if (!values.keep) rmSync(dir, { recursive: true, force: true });

const lastT = samples[samples.length - 1]?.t ?? 0;
const window = samples.filter((sample) => sample.t >= Math.max(lastT - SLOPE_WINDOW_MS, WARM_UP_MS));
// On the anonymous memory: the mapped archive file grows with the archive by design (see rssMiB).
const slopes = { nom: rssSlopeMiBPerMinute(window.map((s) => [s.t, s.nomAnon])), serve: rssSlopeMiBPerMinute(window.map((s) => [s.t, s.serveAnon])), relay: rssSlopeMiBPerMinute(window.map((s) => [s.t, s.relayAnon])) };
const missing = Math.max(0, published - archived);
const slopeOk = Object.values(slopes).every((slope) => !Number.isFinite(slope) || slope < MAX_SLOPE_MIB_PER_MIN);
const passed = missing === 0 && slopeOk && code !== null;
const elapsedS = (Date.now() - began) / 1000;
console.log(
  `soak ${passed ? 'PASSED' : 'FAILED'}: ${written} written, ${published} published (${refused} refused, publisher exit ${code}), ${archived} archived, ${missing} missing; ` +
    `anonymous RSS slope from ${((window[0]?.t ?? 0) / 60_000).toFixed(1)} to ${(lastT / 60_000).toFixed(1)} min, MiB/min: nom ${slopes.nom.toFixed(2)}, serve ${slopes.serve.toFixed(2)}${relay === undefined ? '' : `, relay ${slopes.relay.toFixed(2)}`}`,
);

const file = values.section ?? join(ROOT, 'docs/bench-results/soak.json');
mkdirSync(dirname(file), { recursive: true });
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchSection) : undefined;
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
  `${slopes.nom.toFixed(2)} / ${slopes.serve.toFixed(2)}${relay === undefined ? '' : ` / ${slopes.relay.toFixed(2)}`}`,
  passed ? 'pass' : 'FAIL',
];
const section: BenchSection = {
  section: 'soak',
  title: 'Soak: a steady stream into the archive, with queries',
  date: new Date().toISOString(),
  machine: machineDescription(),
  commit: headCommit(),
  load: `${loadStart.toFixed(2)} → ${loadNow().toFixed(2)}`,
  command: 'npm run soak -- --minutes N --rate R --transport zeromq|amqp',
  summary:
    'statbus publish, a relay (ZeroMQ) or RabbitMQ, statbus nom and statbus serve as separate processes; two queries (/count and /raw) every quarter of a second beside the stream. Passes when nothing published is missing from the archive and the anonymous RSS (heap and SQLite page cache, not the mapped archive file) of the archiver and the query API grows by less than 1 MiB/min over the last 5 minutes (the first minute, start-up, left out). SQLite\'s page cache (256 MiB by default) fills first: judge the slope on runs of 10 minutes.',
  table: {
    columns: ['transport', 'run', 'asked msg/s', 'published msg/s', 'published', 'archived', 'missing', 'gaps', 'dead letters', 'queries (failed)', 'RSS MiB nom / serve (end)', 'anon RSS slope MiB/min nom / serve (/ relay)', 'result'],
    rows: [...(previous?.table.rows.filter((other) => other[0] !== transport || other[2] !== rate) ?? []), row],
  },
  notes: [
    'Each transport and asked rate keeps its own row; a new run of one replaces its row only. A transport whose archiver falls behind at the rate asked on a loaded machine is also run at a lower rate.',
    `Load average (start → end) of this section's last run: ${loadStart.toFixed(2)} → ${loadNow().toFixed(2)}, ${transport} at ${rate} msg/s.`,
  ],
};
writeSection(file, section);
process.exit(passed ? 0 : 1);
