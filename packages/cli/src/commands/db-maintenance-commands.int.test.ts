import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../testing/in-process-cli.js';

let cwd: string;
let env: Record<string, string>;
const DAY = 86_400_000;
const now = Date.now();

function record(id: string, topic: string, ageDays: number, body: Record<string, unknown> = { secret: 'hunter2', note: 'kept' }): string {
  return JSON.stringify({ id, topic, time: now - ageDays * DAY, producer: { name: 'n', host: 'h', pid: 1, instance: 'i' }, seq: 1, headers: { token: 'abc' }, body });
}

async function statbus(args: string[], input?: string): Promise<CliRun> {
  return runCli(args, { env, cwd, ...(input === undefined ? {} : { input }) });
}

beforeEach(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'statbus-db-maintenance-'));
  env = { STATBUS_STORE: `sqlite:${join(cwd, 'archive.db')}` };
  const lines = [
    record('old-koji', 'org.statbus.dev.koji.build.end', 100),
    record('old-bodhi', 'org.statbus.dev.bodhi.update.comment', 100),
    record('new-koji', 'org.statbus.dev.koji.build.end', 1),
    record('leak', 'org.statbus.dev.bodhi.update.comment', 1),
  ];
  const imported = await statbus(['db', 'import', '-'], `${lines.join('\n')}\n`);
  expect(imported.code, imported.stderr).toBe(0);
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const ids = async (): Promise<string[]> => (await statbus(['dump'])).stdout.trim().split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { envelope: { id: string } }).envelope.id).sort();

describe('statbus db delete', () => {
  it('should delete by id, say so, and exit 1 naming the ids not found', async () => {
    const { code, stderr } = await statbus(['db', 'delete', 'leak', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toContain('1 deleted; not found: nope');
    expect(await ids()).toEqual(['new-koji', 'old-bodhi', 'old-koji']);
  });
});

describe('statbus db redact', () => {
  it('should redact the fields named and drop the signature', async () => {
    const { code, stderr } = await statbus(['db', 'redact', 'leak', '--field', 'body.secret', '--field', 'headers.token']);
    expect(code, stderr).toBe(0);
    const dumped = (await statbus(['dump'])).stdout.split('\n').find((line) => line.includes('"leak"')) ?? '';
    const { envelope } = JSON.parse(dumped) as { envelope: { body: Record<string, unknown>; headers: Record<string, string> } };
    expect(envelope.body).toEqual({ secret: '[redacted]', note: 'kept' });
    expect(envelope.headers['token']).toBe('[redacted]');
  });

  it('should refuse an unknown id and a bad path', async () => {
    expect((await statbus(['db', 'redact', 'nope'])).stderr).toContain('no message "nope"');
    const bad = await statbus(['db', 'redact', 'leak', '--field', 'producer.name']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected body, body\.<key>/u);
  });
});

describe('statbus db prune', () => {
  it('should remove what is older than --older-than, of the topics named', async () => {
    const { code, stdout, stderr } = await statbus(['db', 'prune', '--older-than', '30d', '--topic', 'org.statbus.dev.koji.#']);
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe('1');
    expect(stderr).toMatch(/1 deleted \(before .*, org\.statbus\.dev\.koji\.#\) in 1 batch/u);
    expect(await ids()).toEqual(['leak', 'new-koji', 'old-bodhi']);
  });

  it('should apply the [sink.retention] rules without flags, and refuse when there are none', async () => {
    expect((await statbus(['db', 'prune'])).code).toBe(2);
    writeFileSync(join(cwd, 'statbus.toml'), '[sink.retention]\nbatch_size = 1\n[[sink.retention.rules]]\nmax_age_days = 30\n');
    const { code, stdout } = await statbus(['db', 'prune']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('2');
    expect(await ids()).toEqual(['leak', 'new-koji']);
  });
});

describe('statbus db backup', () => {
  it('should write a copy that opens as an archive', async () => {
    const file = join(cwd, 'copy.db');
    const { code, stderr } = await statbus(['db', 'backup', file]);
    expect(code, stderr).toBe(0);
    const copy = await runCli(['dump'], { env: { STATBUS_STORE: `sqlite:${file}` }, cwd });
    expect(copy.stdout.trim().split('\n')).toHaveLength(4);
  });
});

describe('statbus db backup of a MongoDB archive', () => {
  it("should refuse with mongodump's command, without needing the server", async () => {
    const { code, stderr } = await runCli(['db', 'backup', join(cwd, 'copy.gz')], { env: { STATBUS_STORE: 'mongodb://statbus:secret@127.0.0.1:1/archive' }, cwd });
    expect(code).toBe(1);
    expect(stderr).toContain('mongodump --uri=');
    expect(stderr).toContain(`--archive=${join(cwd, 'copy.gz')}`);
    expect(stderr).not.toContain('secret');
  });
});

describe('statbus db delete and db redact, with metrics', () => {
  it('should leave the live metrics equal to metrics rebuilt from the archive', async () => {
    const show = async (plugin: string): Promise<string> => {
      const shown = await statbus(['metrics', 'show', plugin, '--interval', '1d', '--rows', '1000']);
      expect(shown.code, shown.stderr).toBe(0);
      return shown.stdout;
    };
    const plugins = ['volume', 'volume-by-topic', 'latest-by-topic', 'latest-by-category'];
    expect((await statbus(['metrics', 'rebuild'])).code).toBe(0);
    expect((await statbus(['db', 'delete', 'leak'])).code).toBe(0);
    expect((await statbus(['db', 'redact', 'new-koji', '--field', 'headers.token'])).code).toBe(0);
    const live = await Promise.all(plugins.map(show));
    expect(live[0]).not.toContain('"count":4');
    expect((await statbus(['metrics', 'rebuild'])).code).toBe(0);
    expect(await Promise.all(plugins.map(show))).toEqual(live);
  });
});
