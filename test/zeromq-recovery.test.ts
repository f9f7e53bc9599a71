import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMessageStore } from '@statbus/sink';
import { waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';

/**
 * Fault suite, case 4 (and 6 in transport-zeromq's replay tests): ZeroMQ recovery end to end, with real
 * processes — `statbus publish` (a short-lived publisher that exits) through `statbus relay` into
 * `statbus nom` (the real Archiver, a real SQLite file) — while the archiver is paused with SIGSTOP, so that
 * the relay drops at its high-water mark, the tail of the stream included. Every gap inside the relay's
 * replay window must be refilled (the archive is complete); every hole outside it reported with its exact
 * seq range; nothing lost without a word.
 */

const LINES = 20_000;
const TOPIC = 'org.statbus.dev.fault.recovery';

interface Lost {
  readonly from: number;
  readonly to: number;
  readonly missed: number;
}

/** The `messages lost` reports (JSON log lines) on a process's stderr. */
function lostReports(stderr: string): Lost[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes('"messages lost"'))
    .map((line) => JSON.parse(line) as Lost);
}

async function archivedSeqs(store: SqliteMessageStore): Promise<number[]> {
  const seqs: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.find({ topics: [TOPIC], rowsPerPage: 1000, order: 'asc', ...(cursor !== undefined && { cursor }) });
    seqs.push(...page.messages.map((message) => message.envelope.seq));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return seqs.sort((a, b) => a - b);
}

describe('fault suite 4: ZeroMQ — archiver paused while a short-lived publisher sends tens of thousands of lines through the relay', () => {
  const running: CliProcess[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const process of running) if (process.child.signalCode === null) process.child.kill('SIGCONT');
    await Promise.all(running.splice(0).map((process) => process.stop('SIGKILL')));
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  async function run(window: number): Promise<{ seqs: number[]; lost: Lost[]; nomStderr: string }> {
    const directory = mkdtempSync(join(tmpdir(), 'statbus-fault4-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const base = join(directory, randomUUID().slice(0, 8));
    const env = {
      STATBUS_TRANSPORT: 'zeromq',
      STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${base}-in`,
      STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${base}-out`,
      // Small high-water marks: a paused archiver makes the relay drop after a few batches. A mark of 32 (KiB)
      // is two batches of 16 KiB (see batchHighWaterMark), so each side holds at most about a hundred lines.
      STATBUS_ZEROMQ__SEND_HWM: '32',
      STATBUS_ZEROMQ__RECEIVE_HWM: '32',
      STATBUS_ZEROMQ__STREAM_HEARTBEAT_MS: '100',
      STATBUS_ZEROMQ__REPLAY_WINDOW: String(window),
    };
    const relay = startCli(['relay'], env);
    running.push(relay);
    await relay.ready('statbus relay:');
    const database = join(directory, 'archive.db');
    const nom = startCli(['nom', '--store', `sqlite:${database}`], env);
    running.push(nom);
    await nom.ready('statbus nom: archiving');
    nom.child.kill('SIGSTOP');
    const lines = Array.from({ length: LINES }, (_, index) => `line ${index + 1}`).join('\n');
    const publish = startCli(['publish', '--topic', 'fault.recovery'], env, `${lines}\n`);
    running.push(publish);
    expect(await publish.exited).toBe(0);
    expect(publish.stderr()).toContain(`${LINES} published`);
    expect(publish.stderr()).not.toContain('their tail may be lost');
    // The publisher is gone; only the relay's window and heartbeats can tell the archiver what it missed.
    nom.child.kill('SIGCONT');
    const store = new SqliteMessageStore(database);
    await store.init();
    try {
      const missed = (): number => lostReports(nom.stderr()).reduce((sum, report) => sum + report.missed, 0);
      await waitFor(async () => (await store.count({ topics: [TOPIC] })).count + missed() === LINES, {
        timeoutMs: 60_000,
        message: `archived + reported lost == ${LINES}`,
      });
      await nom.stop('SIGTERM');
      return { seqs: await archivedSeqs(store), lost: lostReports(nom.stderr()), nomStderr: nom.stderr() };
    } finally {
      await store.close();
    }
  }

  // On a loaded machine this case once lost the tail of the stream without a word: the publisher exited while ZeroMQ
  // still held its last messages, so the relay never had them to replay or beat. The publisher now waits for the relay
  // to hold its last message before it closes (relay-receipt.ts).
  it('should archive every message when every gap is inside the replay window (refilled from the relay)', { timeout: 120_000 }, async () => {
    const { seqs, lost, nomStderr } = await run(30_000);
    expect(lost).toEqual([]);
    expect(seqs).toEqual(Array.from({ length: LINES }, (_, index) => index + 1));
    const transport = JSON.parse(/statbus nom: transport (.*)/u.exec(nomStderr)?.[1] ?? '{}') as { recovery?: { refilled: number } };
    console.info(`fault 4, window 30000: ${LINES} published, ${seqs.length} archived, ${transport.recovery?.refilled ?? '?'} of them refilled from the relay`);
    expect(transport.recovery?.refilled, 'the pause did make the relay drop').toBeGreaterThan(0);
  });

  it('should report every hole outside the window with its exact seq range: archived + reported == published', async () => {
    const window = 2_000;
    const { seqs, lost } = await run(window);
    const reported = new Set(lost.flatMap((report) => Array.from({ length: report.to - report.from + 1 }, (_, index) => report.from + index)));
    console.info(`fault 4, window ${window}: ${LINES} published, ${seqs.length} archived, ${reported.size} reported lost in ${lost.length} reports`);
    expect(lost.length).toBeGreaterThan(0);
    expect(reported.size, 'each range holds exactly its missed count').toBe(lost.reduce((sum, report) => sum + report.missed, 0));
    expect(seqs.filter((seq) => reported.has(seq)), 'an archived message is never reported lost').toEqual([]);
    expect(new Set([...seqs, ...reported]).size, 'every seq is archived or reported').toBe(LINES);
    // The relay held the last `window` messages: the tail of the stream is in the archive.
    expect(seqs.slice(-window)).toEqual(Array.from({ length: window }, (_, index) => LINES - window + 1 + index));
  }, 120_000);
});
