import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '@statbus/sink';
import { makeStoreFixture, waitFor } from '@statbus/testing';
import { startQueryWorkers } from './query-workers.js';

const fixture = makeStoreFixture({ count: 500 });
const dir = mkdtempSync(join(tmpdir(), 'statbus-query-workers-'));
const path = join(dir, 'archive.db');
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

beforeAll(async () => {
  const store = new SqliteMessageStore(path);
  await store.init();
  await store.insertMany(fixture.messages);
  await store.close();
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./query-workers.fixture.ts', import.meta.url)),
    execArgv: ['--conditions=@statbus/source', '--import', 'tsx'],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(startQueryWorkers, () => {
  describe('when started with two workers over one SQLite file', () => {
    it('should answer from both on one port, replace a worker that dies, and stop them all on close', async () => {
      const workers = await startQueryWorkers({ count: 2, env: { STATBUS_TEST_STORE: path, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') } });
      try {
        const first = workers.pids();
        expect(first).toHaveLength(2);
        const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${workers.url}/count`).then((response) => response.json() as Promise<{ count: number }>)));
        expect(answers.every((answer) => answer.count === fixture.messages.length)).toBe(true);
        process.kill(first[0] ?? 0, 'SIGKILL');
        const replaced = await waitFor(() => {
          const now = workers.pids();
          return now.length === 2 && !now.includes(first[0] ?? 0) ? now : undefined;
        }, { timeoutMs: 20_000, message: 'a replacement worker' });
        expect(replaced).toContain(first[1]);
        const raw = await waitFor(async () => {
          const response = await fetch(`${workers.url}/raw?rows_per_page=5`);
          return response.status === 200 ? ((await response.json()) as { count: number }) : undefined;
        });
        expect(raw.count).toBe(5);
      } finally {
        await workers.close();
      }
      expect(workers.pids()).toEqual([]);
      await expect(fetch(`${workers.url}/live`)).rejects.toThrow();
    });
  });
  describe('when a worker cannot start', () => {
    it('should reject naming it, and leave no worker running', async () => {
      // The failing workers' stderr comes to this test (silent), not to the test run's output.
      cluster.setupPrimary({ silent: true });
      const stderr: string[] = [];
      const capture = (worker: ReturnType<typeof cluster.fork>): void => {
        worker.process.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
      };
      cluster.on('fork', capture);
      try {
        await expect(startQueryWorkers({ count: 2, env: { STATBUS_TEST_STORE: dir, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') } })).rejects.toThrow(/query worker \d+ exited/u);
      } finally {
        cluster.off('fork', capture);
        cluster.setupPrimary({ silent: false });
      }
      expect(Object.keys(cluster.workers ?? {})).toEqual([]);
      expect(stderr.join('')).toMatch(/SQLite store: cannot open .*unable to open database file/u);
    });
  });
});
