import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '@statbus/sink';
import { makeStoreFixture, referencePage, waitFor } from '@statbus/testing';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');
const fixture = makeStoreFixture({ count: 500 });
const dir = mkdtempSync(join(tmpdir(), 'statbus-serve-'));
const path = join(dir, 'archive.db');

beforeAll(async () => {
  const store = new SqliteMessageStore(path);
  await store.init();
  await store.insertMany(fixture.messages);
  await store.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `statbus serve` over the seeded archive on a free port; `stop()` sends SIGTERM and resolves with the exit code. */
async function startServe(args: readonly string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string; stop: () => Promise<number | string> }> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the CLI first (npm run build)`);
  const child = spawn(process.execPath, [BIN, 'serve', '--store', `sqlite:${path}`, '--port', '0', '--log-level', 'warn', ...args], {
    env: { ...process.env, STATBUS_CONFIG: '' },
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const stop = (): Promise<number | string> => {
    child.kill('SIGTERM');
    return exited;
  };
  try {
    const url = await waitFor(() => /statbus serve: (http:\/\/\S+)/u.exec(stderr)?.[1], { timeoutMs: 20_000, message: `the URL on stderr (${stderr})` });
    return { child, url, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('statbus serve', () => {
  describe('when started over an SQLite archive', () => {
    it('should serve datagrepper\'s /raw from it and stop on SIGTERM with exit code 0', async () => {
      const { url, stop } = await startServe([]);
      try {
        const response = await fetch(`${url}/raw?category=bodhi&rows_per_page=10&order=asc`);
        const body = (await response.json()) as { raw_messages: { msg_id: string }[]; total: number };
        const expected = referencePage(fixture.messages, { categories: ['bodhi'], rowsPerPage: 10, order: 'asc' });
        expect(body.raw_messages.map((m) => m.msg_id)).toEqual(expected.ids);
        expect(body.total).toBe(expected.total);
        expect((await fetch(`${url}/ready`)).status).toBe(200);
      } finally {
        expect(await stop()).toBe(0);
      }
    });
  });

  describe('when started with --workers 2', () => {
    it('should serve from two worker processes sharing the port, and stop them all on SIGTERM', async () => {
      const { child, url, stderr, stop } = await startServe(['--workers', '2']);
      const workerPids = (): number[] =>
        spawnSync('ps', ['--ppid', String(child.pid), '-o', 'pid='], { encoding: 'utf8' })
          .stdout.split('\n')
          .map((line) => Number(line.trim()))
          .filter((pid) => pid > 0);
      let workers: number[] = [];
      try {
        expect(stderr()).toContain('2 workers');
        workers = workerPids();
        expect(workers).toHaveLength(2);
        const expected = referencePage(fixture.messages, { users: [fixture.users[0] as string], rowsPerPage: 5, order: 'desc' });
        for (let request = 0; request < 6; request += 1) {
          const response = await fetch(`${url}/raw?user=${encodeURIComponent(fixture.users[0] as string)}&rows_per_page=5`, { headers: { connection: 'close' } });
          const body = (await response.json()) as { raw_messages: { msg_id: string }[]; total: number };
          expect(body.raw_messages.map((m) => m.msg_id)).toEqual(expected.ids);
          expect(body.total).toBe(expected.total);
        }
      } finally {
        expect(await stop()).toBe(0);
      }
      expect(workers.filter((pid) => spawnSync('kill', ['-0', String(pid)]).status === 0)).toEqual([]);
    });
  });
});
