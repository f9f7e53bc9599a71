import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BusEvent } from '@statbus/core';
import { waitFor } from '@statbus/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { archivedEvents, dashboardEnvelope, dashboardHistory, startDashboardServer, type DashboardServer } from './dashboard-server.fixture.js';

/** Debian's chromium (`.ci/run` installs it where missing). */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'docs', 'dashboard.png');

interface ChartView {
  readonly data: readonly (readonly (number | null)[])[];
  readonly series: readonly { readonly label?: string }[];
}
interface DashboardView {
  readonly loads: number;
  readonly interval?: string;
  readonly window?: { readonly start: number; readonly end: number };
  readonly charts: Readonly<Record<'rate' | 'series' | 'delay', { readonly plot?: ChartView }>>;
}
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { readonly data: ArrayLike<number> } } | null;
}
/** What the callbacks run in the page read of its globals (this program is typed without the DOM library). */
interface PageGlobals {
  readonly statbusDashboard?: DashboardView;
  readonly document: { querySelector(selector: string): CanvasLike | null };
}

/** What a page did wrong: console errors, uncaught exceptions, failed requests. */
function watch(page: Page): { problems: string[]; requests: string[] } {
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The tail's EventSource is cut when the page closes: not a failure of the page.
    if (!request.url().includes('/stream')) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  page.on('request', (request) => requests.push(new URL(request.url()).pathname + new URL(request.url()).search));
  return { problems, requests };
}

const loads = (page: Page): Promise<number> => page.evaluate(() => (globalThis as unknown as PageGlobals).statbusDashboard?.loads ?? 0);

/** Waits until the dashboard finished a load after `after` loads. */
async function loaded(page: Page, after = 0): Promise<void> {
  await waitFor(async () => (await loads(page)) > after, { timeoutMs: 15_000, message: `dashboard load #${after + 1}` });
}

/** Each chart's point count, series labels and sum over its series (the stacked chart's top series is the total). */
function chartOf(page: Page, name: 'rate' | 'series' | 'delay'): Promise<{ points: number; labels: string[]; last: number } | undefined> {
  return page.evaluate((chart) => {
    const plot = (globalThis as unknown as PageGlobals).statbusDashboard?.charts[chart].plot;
    if (plot === undefined) return undefined;
    const top = plot.data[plot.data.length - 1] ?? [];
    return { points: plot.data[0]?.length ?? 0, labels: plot.series.slice(1).map((series) => series.label ?? ''), last: top.reduce<number>((sum, value) => sum + (value ?? 0), 0) };
  }, name);
}

/** Pixels of a chart's canvas that are not blank: the chart really drew. */
function inkOf(page: Page, id: string): Promise<number> {
  return page.evaluate((chartId) => {
    const canvas = (globalThis as unknown as PageGlobals).document.querySelector(`#${chartId} canvas`);
    const context = canvas?.getContext('2d');
    if (canvas === null || context === null || context === undefined) return 0;
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] ?? 0) > 0) ink += 1;
    return ink;
  }, id);
}

describe.skipIf(!haveChromium)(`the dashboard at GET /, in headless Chromium${haveChromium ? '' : ` (skipped: no ${CHROMIUM})`}`, () => {
  let browser: Browser;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(server: DashboardServer): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1500 }, locale: 'en-GB', timezoneId: 'UTC' });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    const watched = watch(page);
    await page.goto(`${server.base}/`);
    return { page, ...watched };
  }

  describe('when the archive has history', () => {
    it('should draw every chart with data, follow the live tail, and redraw for another time range', async () => {
      const now = Date.now();
      const history = dashboardHistory(now, 1500);
      const server = await startDashboardServer(history, [
        ...archivedEvents(history),
        { type: 'gap', time: now - 600_000, producer: 'koji-1', lost: 2 },
        { type: 'gap', time: now - 500_000, producer: 'koji-1', lost: 3 },
        ...[1, 2, 3].map((index): BusEvent => ({ type: 'dead-letter', time: now - 300_000 - index, reason: 'rejected' })),
      ]);
      cleanups.push(() => server.close());
      const { page, problems, requests } = await open(server);
      await loaded(page);

      const rate = await chartOf(page, 'rate');
      expect(rate?.points).toBeGreaterThan(100);
      expect(rate?.labels.length).toBeGreaterThanOrEqual(3);
      expect(rate?.last).toBeGreaterThan(0);
      expect((await chartOf(page, 'series'))?.last).toBe(rate?.last);
      expect((await chartOf(page, 'delay'))?.labels).toEqual(['p50', 'p99']);
      for (const chart of ['rate-chart', 'series-chart', 'delay-chart']) expect(await inkOf(page, chart), chart).toBeGreaterThan(1000);
      for (const list of ['top-topics', 'top-users', 'top-packages']) expect(await page.locator(`#${list} tbody tr`).count(), list).toBeGreaterThan(1);
      expect(await page.locator('#health-counts').innerText()).toMatch(/Gaps seen\s+2[\s\S]*Messages lost\s+5[\s\S]*Dead-lettered\s+3/u);
      expect(await page.locator('#rate-empty').isHidden()).toBe(true);

      await waitFor(async () => (await page.locator('#tail-status').innerText()) === 'live', { message: 'the live tail connected' });
      const live = dashboardEnvelope('bodhi', Date.now(), 7);
      await server.publish(live);
      await page.locator(`#tail li[data-id="${live.id}"]`).waitFor({ timeout: 15_000 });
      expect(await page.locator(`#tail li[data-id="${live.id}"] .topic`).innerText()).toBe(live.topic);

      const before = await loads(page);
      await page.getByText('7 d', { exact: true }).click();
      await loaded(page, before);
      const week = await chartOf(page, 'rate');
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).statbusDashboard?.interval)).toBe('1h');
      expect(week?.points).toBeLessThan(200);
      expect(week?.last).toBeGreaterThan(rate?.last ?? 0);
      expect(requests.some((url) => url.startsWith('/series?') && url.includes('interval=1h'))).toBe(true);

      // The live message is counted too: once the engine has caught up, the hour drawn is the archive's hour.
      await server.engine?.sync();
      const hourLoads = await loads(page);
      await page.getByText('1 h', { exact: true }).click();
      await loaded(page, hourLoads);
      const hour = await chartOf(page, 'rate');
      expect(hour?.points).toBeLessThan(70);
      expect(hour?.last).toBeLessThan(week?.last ?? 0);
      const window = await page.evaluate(() => (globalThis as unknown as PageGlobals).statbusDashboard?.window);
      const archived = (await (await fetch(`${server.base}/count?start=${window?.start ?? 0}&end=${window?.end ?? 0}`)).json()) as { count: number };
      expect(hour?.last).toBe(archived.count);
      expect(await page.locator('#series-summary').innerText()).toContain('counted from the rollups');
      expect(page.url()).toContain('#range=1h');

      const filterLoads = await loads(page);
      await page.getByLabel('Filter, in /raw’s terms').fill('category=koji');
      await page.getByRole('button', { name: 'Apply' }).click();
      await loaded(page, filterLoads);
      // The dashboard also reloads on its own timer: the load awaited may be one that started before the filter.
      await waitFor(() => requests.some((url) => url.startsWith('/series?category=koji')), { message: 'the series asked with the filter' });
      await waitFor(async () => (await chartOf(page, 'series'))?.labels.join() === 'category=koji', { message: 'the series drawn for the filter' });
      await waitFor(() => requests.some((url) => url.startsWith('/stream?category=koji')), { message: 'the tail reopened with the filter' });
      await waitFor(async () => (await page.locator('#tail-status').innerText()) === 'live', { message: 'the filtered tail connected' });
      const koji = dashboardEnvelope('koji', Date.now(), 2);
      const bodhi = dashboardEnvelope('bodhi', Date.now(), 3);
      await server.publish(bodhi);
      await server.publish(koji);
      await page.locator(`#tail li[data-id="${koji.id}"]`).waitFor({ timeout: 15_000 });
      expect(await page.locator(`#tail li[data-id="${bodhi.id}"]`).count()).toBe(0);

      const bad = await loads(page);
      await page.getByLabel('Filter, in /raw’s terms').fill('colour=blue');
      await page.getByRole('button', { name: 'Apply' }).click();
      expect(await page.getByRole('alert').innerText()).toContain('“colour” is not a filter');
      expect(await loads(page)).toBe(bad);

      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByText('7 d', { exact: true }).click();
      await loaded(page, bad + 1);
      await waitFor(async () => (await page.locator('#tail-status').innerText()) === 'live', { message: 'the unfiltered tail connected' });
      const tail = ['bodhi', 'koji', 'copr', 'pagure', 'koji', 'fas'].map((category, index) => dashboardEnvelope(category, Date.now(), index + 11));
      for (const envelope of tail) await server.publish(envelope);
      await page.locator(`#tail li[data-id="${tail.at(-1)?.id ?? ''}"]`).waitFor({ timeout: 15_000 });
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.length).toBeGreaterThan(10_000);
      if (process.env['STATBUS_UPDATE_SCREENSHOT'] === '1') {
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        writeFileSync(SCREENSHOT, shot);
      }
      expect(problems).toEqual([]);
    }, 90_000);
  });

  describe('when the server keeps no metrics', () => {
    it('should say that metrics are off instead of drawing, and still run the live tail', async () => {
      const server = await startDashboardServer(dashboardHistory(Date.now(), 50), [], { metrics: false });
      cleanups.push(() => server.close());
      const { page, problems } = await open(server);
      await loaded(page);
      expect(await page.locator('#banner').innerText()).toBe('Metrics: not served by this server (metrics are off). The live tail still works.');
      expect(await page.locator('#rate-empty').innerText()).toBe('not served by this server (metrics are off)');
      expect(await page.locator('#top-topics').innerText()).toBe('not served by this server (metrics are off)');
      await waitFor(async () => (await page.locator('#tail-status').innerText()) === 'live', { message: 'the live tail connected' });
      const live = dashboardEnvelope('koji', Date.now(), 1);
      await server.publish(live);
      await page.locator(`#tail li[data-id="${live.id}"]`).waitFor({ timeout: 15_000 });
      // The browser reports each 404 of the metrics routes; nothing else may go wrong.
      expect(problems.filter((problem) => !/Failed to load resource: the server responded with a status of 404/u.test(problem))).toEqual([]);
      expect(problems.length).toBeGreaterThan(0);
    }, 90_000);
  });

  describe('when the archive is empty', () => {
    it('should say "No data yet" in every panel, with no error', async () => {
      const server = await startDashboardServer([]);
      cleanups.push(() => server.close());
      const { page, problems } = await open(server);
      await loaded(page);
      for (const id of ['rate-empty', 'series-empty', 'delay-empty']) {
        expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
        expect(await page.locator(`#${id}`).innerText(), id).toBe('No data yet.');
      }
      for (const list of ['top-topics', 'top-users', 'top-packages']) expect(await page.locator(`#${list}`).innerText(), list).toBe('No data yet.');
      expect(await page.locator('#health-counts').innerText()).toMatch(/Gaps seen\s+none/u);
      expect(await page.locator('#tail-empty').innerText()).toBe('Waiting for messages…');
      expect(await page.locator('#banner').isHidden()).toBe(true);
      expect(problems).toEqual([]);
    });
  });
});
