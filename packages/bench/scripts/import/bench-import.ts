import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { ArchivedMessage } from '@statbus/core';
import { SQLITE_TUNING_DEFAULTS, SqliteMessageStore, importRecord, readRecords } from '@statbus/sink';
import { headCommit, loadNow, machineDescription, takeSectionFlag, writeSection } from '../section-output.js';
import { writeDatagrepperRecords } from './datagrepper-records.js';
import { profiledThreads, summarisePhases, summariseThread, type ProfilePhase } from '../../src/report/cpu-profile.js';

// Usage: npm run bench:import -- [count=1000000] [file=<tmp>/datagrepper-<count>.ndjson] [profile] [before=<another checkout's bin/statbus.js>] [--section=FILE]
// Writes `count` datagrepper /raw (v1) records (random uuid4 ids, bodies of 300–2,000 bytes of words) once,
// then, on the same file and in the same run: `statbus db import` (the real CLI, default configuration, with
// --progress), the store's own insertMany of the same messages built beforehand (its index catch-up timed
// apart), and a bare better-sqlite3 INSERT of the same rows into one table. CPU is user + system time of the
// whole process (the CLI's workers included). `before=` also runs another build of the CLI (the commit before a
// change) on the same file, first. `profile` runs the CLI (and the one of `before=`) once more, under --cpu-prof,
// and prints where each of its threads spent its time, by part of the import, and the functions with the most self time.

/** Where the CLI's main thread spends its time, by the functions of each part of an import (of this build and earlier ones). */
const PHASES: readonly ProfilePhase[] = [
  { name: 'start-up (loading modules)', functions: ['Module._load', 'loadAndTranslate', 'compileSourceTextModule', 'getSource', 'readFileHandle', 'moduleResolve', '_link', 'defaultResolve'] },
  { name: 'reading the file (fs)', functions: ['ReadStream._read'] },
  { name: 'reading lines and JSON.parse', functions: ['readRecords', 'readLines', 'ondata'] },
  { name: 'record to message (shape, envelope check, meta extraction)', functions: ['importRecord'] },
  { name: 'row preparation (JSON.stringify of body, headers, users, packages)', functions: ['prepareMessage'] },
  { name: 'row inserts (SQLite: the row and its id, time, topic and category indexes)', functions: ['writeRows'] },
  { name: 'commits, checkpoints and close (SQLite: WAL and file writes)', functions: ['exec', 'pragma', 'close', 'sqliteTransaction'] },
  { name: 'text index (trigram bitmaps)', functions: ['indexBatch', 'indexTextChunk', 'buildTextChunk', 'sameRows', 'unstage', 'addBody'] },
  { name: 'users, packages and agents tables', functions: ['indexChunk'] },
];

const CLI = resolve(fileURLToPath(new URL('../../../cli/bin/statbus.js', import.meta.url)));
const BATCH = 1000;

const fmt = (value: number): string => Math.round(value).toLocaleString('en');

/** User + system CPU (ms) of this process's waited-for children (Linux: /proc/self/stat cutime + cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14; clock ticks of 10 ms.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface Run {
  readonly label: string;
  readonly count: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly note?: string;
}

const perSecond = (run: Run): number => (run.count / run.wallMs) * 1000;
const cpuPerMessage = (run: Run): number => (run.cpuMs * 1000) / run.count;

async function runCli(file: string, dir: string, count: number, profileDir: string | undefined, cli = CLI, label = 'statbus db import (CLI, default configuration, --progress)'): Promise<Run> {
  const store = join(dir, `cli-${Date.now()}.db`);
  const args = [...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir]), cli, 'db', 'import', file, '--store', `sqlite:${store}`, '--progress', '--summary', 'json'];
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STATBUS_CONFIG: '' } });
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => process.stdout.write(data));
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
    process.stderr.write(data);
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const wallMs = performance.now() - started;
  const cpuMs = childrenCpuMs() - cpuBefore;
  const lines = stderr.split('\n');
  const progressLines = lines.filter((line) => line.includes('%')).length;
  const last = lines.filter((line) => line.startsWith('{')).at(-1);
  if (code !== 0 || last === undefined) throw new Error(`statbus db import exited with ${code}: ${stderr.slice(-2000)}`);
  const summary = JSON.parse(last) as { inserted: number; read: number };
  if (summary.inserted !== count) throw new Error(`statbus db import stored ${summary.inserted} of ${count}: ${last}`);
  const check = new Database(store, { readonly: true });
  const rows = check.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  check.close();
  if (rows !== count) throw new Error(`the archive holds ${rows} messages, not ${count}`);
  rmSync(store, { force: true });
  for (const suffix of ['-wal', '-shm']) rmSync(`${store}${suffix}`, { force: true });
  return { label, count, wallMs, cpuMs, note: `${progressLines} progress lines` };
}

/** The messages of the file, `BATCH` at a time, built outside any timer. */
async function* batches(file: string): AsyncGenerator<ArchivedMessage[]> {
  let batch: ArchivedMessage[] = [];
  for await (const record of readRecords(createReadStream(file))) {
    if (!('value' in record)) continue;
    const imported = importRecord(record.value);
    if (!imported.ok) continue;
    batch.push(imported.message);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

const cpuMsNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function runInsertMany(file: string, dir: string): Promise<Run[]> {
  const store = new SqliteMessageStore(join(dir, 'store.db'), { indexInBackground: false });
  await store.init();
  // The pragmas and commit size a bulk load of the store uses, so that the bare figure is the floor of the same work.
  const tuning = SQLITE_TUNING_DEFAULTS;
  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma(`cache_size = -${tuning.cacheMb * 1024}`);
  raw.pragma('temp_store = MEMORY');
  raw.pragma(`mmap_size = ${tuning.mmapMb * 1024 * 1024}`);
  raw.pragma(`wal_autocheckpoint = ${tuning.walAutocheckpointPages}`);
  raw.exec('CREATE TABLE messages (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time INTEGER, topic TEXT, headers TEXT, body TEXT)');
  const insert = raw.prepare('INSERT OR IGNORE INTO messages (id, time, topic, headers, body) VALUES (?, ?, ?, ?, ?)');
  let uncommitted = 0;
  const rawBatch = (messages: ArchivedMessage[]): void => {
    if (!raw.inTransaction) raw.exec('BEGIN IMMEDIATE');
    for (const { envelope } of messages) insert.run(envelope.id, envelope.time, envelope.topic, JSON.stringify(envelope.headers), JSON.stringify(envelope.body));
    uncommitted += messages.length;
    if (uncommitted < tuning.bulkCommitRows) return;
    raw.exec('COMMIT');
    uncommitted = 0;
  };
  let count = 0;
  const store_ = { wall: 0, cpu: 0 };
  const bare = { wall: 0, cpu: 0 };
  const timed = async (into: { wall: number; cpu: number }, work: () => unknown): Promise<void> => {
    const [wall, cpu] = [performance.now(), cpuMsNow()];
    await work();
    into.wall += performance.now() - wall;
    into.cpu += cpuMsNow() - cpu;
  };
  try {
    for await (const batch of batches(file)) {
      count += batch.length;
      await timed(store_, () => store.insertMany(batch));
      await timed(bare, () => rawBatch(batch));
    }
    await timed(bare, () => {
      if (raw.inTransaction) raw.exec('COMMIT');
      raw.pragma('wal_checkpoint(PASSIVE)');
    });
    const index = { wall: 0, cpu: 0 };
    await timed(index, () => store.catchUpIndexes());
    return [
      { label: 'store insertMany, messages built beforehand (batches of 1,000)', count, wallMs: store_.wall, cpuMs: store_.cpu },
      { label: 'store index catch-up after it (users, packages, agents, text)', count, wallMs: index.wall, cpuMs: index.cpu },
      { label: 'insertMany + catch-up', count, wallMs: store_.wall + index.wall, cpuMs: store_.cpu + index.cpu },
      {
        label: `bare better-sqlite3 INSERT, one table (n, id UNIQUE, time, topic, headers, body), the bulk load's pragmas (synchronous NORMAL, ${tuning.cacheMb} MiB cache, commits of ${fmt(tuning.bulkCommitRows)})`,
        count,
        wallMs: bare.wall,
        cpuMs: bare.cpu,
      },
    ];
  } finally {
    await store.close();
    raw.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const sectionFile = takeSectionFlag(argv);
  const profile = argv.includes('profile');
  const before = argv.find((arg) => arg.startsWith('before='))?.slice('before='.length);
  const positional = argv.filter((arg) => arg !== 'profile' && !arg.startsWith('before='));
  const count = Number(positional[0] ?? 1_000_000);
  const file = positional[1] ?? join(tmpdir(), `statbus-datagrepper-${count}.ndjson`);
  const loadBefore = loadNow();
  if (!existsSync(file)) {
    process.stderr.write(`writing ${fmt(count)} datagrepper v1 records to ${file}…\n`);
    await writeDatagrepperRecords(file, count);
  }
  const bytes = statSync(file).size;
  const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-import-'));
  const profileDir = profile ? join(dir, 'profile') : undefined;
  try {
    const beforeProfileDir = profileDir === undefined ? undefined : `${profileDir}-before`;
    const earlier = before === undefined ? undefined : await runCli(file, dir, count, undefined, resolve(before), `the same, CLI of ${before} (before)`);
    const cli = await runCli(file, dir, count, undefined);
    // Profiled runs come apart, after the timed ones: the profiler slows what it watches.
    if (beforeProfileDir !== undefined && before !== undefined) await runCli(file, dir, count, beforeProfileDir, resolve(before));
    if (profileDir !== undefined) await runCli(file, dir, count, profileDir);
    const baselines = await runInsertMany(file, dir);
    const loadAfter = loadNow();
    const runs = [...(earlier === undefined ? [] : [earlier]), cli, ...baselines];
    const rows = runs.map((run) => [run.label, `${fmt(perSecond(run))} msg/s`, `${cpuPerMessage(run).toFixed(1)} µs`, `${(run.wallMs / 1000).toFixed(1)} s`]);
    console.log(`${fmt(count)} records, ${(bytes / 2 ** 20).toFixed(0)} MiB; load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} (${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    for (const row of rows) console.log(`  ${row[0]?.padEnd(90)} ${row.slice(1).join('  ')}`);
    const insertMany = baselines[0] as Run;
    console.log(`  CLI import / store insertMany: ${(perSecond(cli) / perSecond(insertMany)).toFixed(2)}× the rate`);
    const phaseNotes: string[] = [];
    for (const [which, at, run] of [['before', beforeProfileDir, earlier], ['this build', profileDir, cli]] as const) {
      if (at === undefined || run === undefined || !existsSync(at)) continue;
      // The main thread, then the store's index worker thread (the text index and the side tables, beside the load).
      for (const { file: profileFile, thread } of profiledThreads(at)) {
        const { busyMs, totalMs, top } = summariseThread(profileFile, 25);
        if (busyMs < 1000) continue;
        console.log(`  where the CLI's ${thread} spent its time (${which}, under the profiler; busy ${(busyMs / 1000).toFixed(1)} of ${(totalMs / 1000).toFixed(1)} s), µs a message:`);
        const phases = summarisePhases(profileFile, PHASES).filter((entry) => entry.ms * 1000 >= count * 0.05);
        for (const entry of phases) console.log(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${((entry.ms * 1000) / count).toFixed(1).padStart(6)} µs  ${entry.name}`);
        phaseNotes.push(`CLI ${thread}, ${which} (under the profiler; busy ${(busyMs / 1000).toFixed(1)} of ${(totalMs / 1000).toFixed(1)} s), µs a message: ${phases.map((entry) => `${entry.name} ${((entry.ms * 1000) / count).toFixed(1)}`).join('; ')}.`);
        console.log(`  top self time of the CLI's ${thread} (${which}):`);
        for (const entry of top) console.log(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${fmt(entry.ms).padStart(7)} ms  ${entry.name}`);
      }
    }
    if (sectionFile !== undefined) {
      writeSection(sectionFile, {
        section: 'import',
        title: `statbus db import of ${fmt(count)} datagrepper v1 records (random uuid4 ids)`,
        date: new Date().toISOString(),
        machine: machineDescription(),
        commit: headCommit(),
        load: `${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
        command: `npm run bench:import -- ${count}${profile ? ' profile' : ''}${before === undefined ? '' : ` before=${before}`} --section=${sectionFile}`,
        summary:
          `One NDJSON file of ${fmt(count)} datagrepper /raw (v1) records (${(bytes / 2 ** 20).toFixed(0)} MiB: random uuid4 ids, bodies of 300–2,000 bytes of words, users and packages left to the meta extractors) ` +
          'imported by the real CLI into a new SQLite archive in its default configuration (extractors, metrics, text index, synchronous = FULL, which the bulk load lowers to NORMAL until its final checkpoint, --progress), then, in the same run, the same messages built beforehand and given to the store\'s insertMany, and a bare better-sqlite3 INSERT of the same rows. CPU is user + system time a message, of the whole process.',
        table: { columns: ['run', 'rate', 'CPU a message', 'wall'], rows },
        notes: [
          `CLI import / store insertMany: ${(perSecond(cli) / perSecond(insertMany)).toFixed(2)}× the rate`,
          'The CLI figure includes reading and parsing the file, building and checking each envelope, meta extraction and every index; the insertMany rows time only the store.',
          ...phaseNotes,
        ],
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
