import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMessageStore } from '@statbus/sink';
import { makeStoreFixture, waitFor } from '@statbus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './support/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-metrics-cli-'));
const fixture = makeStoreFixture({ count: 500 });
// The 2024 fixture must outlive the default retention for `show` to find its buckets.
const env = {
  STATBUS_STORE: `sqlite:${join(dir, 'archive.db')}`,
  STATBUS_LOG__LEVEL: 'warn',
  // No relay to wait for: nom subscribes to the (no) listed endpoints.
  STATBUS_ZEROMQ__USE_RELAY: 'false',
};

beforeAll(async () => {
  const store = new SqliteMessageStore(join(dir, 'archive.db'));
  await store.init();
  await store.insertMany(fixture.messages);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const process = startCli(args, env);
  const code = await process.exited;
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}

// Each run starts a statbus process: generous time on a busy machine.
describe('statbus metrics', { timeout: 240_000 }, () => {
  it('should list the plugins, rebuild them from the archive and show their rows', async () => {
    const list = await run(['metrics', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { plugins: { name: string }[] }).plugins.map((p) => p.name)).toContain('volume-by-topic');
    const rebuild = await run(['metrics', 'rebuild']);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stderr).toMatch(/statbus metrics rebuild: volume, .* from the start: 500 messages read in \d+s/u);
    const show = await run(['metrics', 'show', 'volume', '--interval', '1d', '--rows', '1000', '--since', String(fixture.first / 1000)]);
    expect(show.code).toBe(0);
    const rows = show.stdout.trim().split('\n').map((line) => JSON.parse(line) as { count: number });
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(500);
  });
  it('should refuse an unknown plugin naming the ones there are, and a bus-event plugin', async () => {
    const unknown = await run(['metrics', 'rebuild', '--plugin', 'nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no metrics plugin "nope"; there are: volume,');
    const events = await run(['metrics', 'rebuild', '--plugin', 'gaps']);
    expect(events.code).not.toBe(0);
    expect(events.stderr).toContain('cannot be rebuilt');
  });
});

describe('statbus nom --health-port', { timeout: 240_000 }, () => {
  it('should serve /metrics in the Prometheus format', async () => {
    const nom = startCli(['nom', '--health-port', '0'], env);
    try {
      await waitFor(() => nom.stderr().includes('health at '), { timeoutMs: 120_000, message: `statbus nom ready (stderr: ${nom.stderr()})` });
      const url = /health at (http:\/\/[^\s;]+)\/ready/u.exec(nom.stderr())?.[1];
      expect(url).toBeDefined();
      const response = await fetch(`${url ?? ''}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('statbus_archive_messages 500');
      expect(text).toContain('process_cpu_seconds_total');
    } finally {
      expect(await nom.stop()).toBe(0);
    }
  });
});
