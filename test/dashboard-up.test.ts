import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

/** What the page exposes for tests (see the query README, "Dashboard"). */
interface PageGlobals {
  readonly statbusDashboard?: { readonly loads: number; readonly charts: { readonly rate: { readonly plot?: { readonly data: readonly (readonly (number | null)[])[] } } } };
}

describe.skipIf(!haveChromium)(`the dashboard of statbus up --demo, built, in headless Chromium${haveChromium ? '' : ` (skipped: no ${CHROMIUM})`}`, () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('should load from the installed package, tail the demo’s live traffic and chart it, with no error', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'statbus-dashboard-up-'));
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const base = join(tmpdir(), `statbus-dashboard-up-${randomUUID()}`);
    const up: CliProcess = startCli(['up', '--demo', '--demo-rate', '40', '--port', '0'], { STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${base}-in`, STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${base}-out` }, undefined, { cwd });
    cleanups.push(() => up.stop());
    await up.ready('query API: http://');
    const url = /query API: (http:\/\/[^\s]+)/u.exec(up.stderr())?.[1] as string;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);

    await page.locator('#tail li').nth(4).waitFor({ timeout: 20_000 });
    expect(await page.locator('#tail li .topic').first().innerText()).toMatch(/^org\.statbus\.dev\./u);
    // The rollups follow the archive: reload until the demo's messages are counted.
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return page.evaluate(() => {
          const data = (globalThis as unknown as PageGlobals).statbusDashboard?.charts.rate.plot?.data ?? [];
          return (data[data.length - 1] ?? []).reduce<number>((sum, value) => sum + (value ?? 0), 0) >= 5;
        });
      },
      { timeoutMs: 20_000, intervalMs: 500, message: 'the demo counted in the rate chart' },
    );
    expect(problems).toEqual([]);
  }, 90_000);
});
