import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';

interface RawPage {
  readonly raw_messages: readonly { msg_id: string; topic: string }[];
  readonly total: number;
}

describe('statbus up --demo (the README’s first command)', () => {
  let cwd: string;
  let env: Record<string, string>;
  const running: CliProcess[] = [];

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'statbus-up-'));
    const base = join(tmpdir(), `statbus-up-${randomUUID()}`);
    env = { STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${base}-in`, STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${base}-out` };
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((process) => process.stop()));
    rmSync(cwd, { recursive: true, force: true });
  });

  it('should archive live demo traffic, serve it, and lose nothing it published on SIGTERM', async () => {
    const up = startCli(['up', '--demo', '--demo-rate', '40', '--port', '0'], env, undefined, { cwd });
    running.push(up);
    await up.ready('query API: http://');
    const url = /query API: (http:\/\/[^\s]+)/u.exec(up.stderr())?.[1] as string;

    const page = await waitFor(
      async () => {
        const response = await fetch(`${url}/raw?rows_per_page=100`);
        const body = (await response.json()) as RawPage;
        return body.total >= 20 ? body : undefined;
      },
      { timeoutMs: 30_000, message: 'demo traffic in the archive' },
    );
    expect(page.raw_messages[0]?.topic).toMatch(/^org\.statbus\.dev\./u);
    const topics = (await (await fetch(`${url}/topics`)).json()) as { topics: readonly { topic: string; count: number }[] };
    expect(topics.topics.length).toBeGreaterThan(1);

    expect(await up.stop('SIGTERM')).toBe(0);
    const published = Number(/demo published (\d+) messages/u.exec(up.stderr())?.[1]);
    expect(published).toBeGreaterThanOrEqual(20);

    const stats = startCli(['stats', '--json'], env, undefined, { cwd });
    expect(await stats.exited).toBe(0);
    expect((JSON.parse(stats.stdout()) as { total: number }).total).toBe(published);
  });
});
