import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '@statbus/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './support/cli-process.js';
import { AMQP_URL, brokerUp } from './support/hub-bus.js';

const TRANSPORT = ['raw-zeromq', 'statbus-zeromq', 'raw-amqp', 'statbus-amqp', 'statbus-memory'];
const PIPELINE = ['statbus-zeromq', 'statbus-amqp', 'statbus-memory'];
const AMQP = new Set(['raw-amqp', 'statbus-amqp']);
const haveBroker = await brokerUp();

function ordered(latency: { p50: number; p90: number; p99: number; p999: number; max: number }): boolean {
  return latency.p50 > 0 && latency.p50 <= latency.p90 && latency.p90 <= latency.p99 && latency.p99 <= latency.p999 && latency.p999 <= latency.max;
}

describe('statbus bench --quick (a smoke of every mode and candidate)', () => {
  let dir: string;
  let code: number | string;
  let stdout: string;
  let stderr: string;
  let report: BenchReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'statbus-bench-'));
    const bench = startCli(['bench', '--quick', '--amqp-url', AMQP_URL, '--json', 'report.json', '--html', 'report.html'], {}, undefined, { cwd: dir });
    code = await bench.exited;
    stdout = bench.stdout();
    stderr = bench.stderr();
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as BenchReport;
  }, 120_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should exit 0 with no failed measurement', () => {
    expect({ code, failures: report.failures, stderr }).toMatchObject({ code: 0, failures: [] });
  });

  it('should measure every transport candidate that can run: throughput > 0 and ordered latency percentiles', () => {
    const expected = haveBroker ? TRANSPORT : TRANSPORT.filter((id) => !AMQP.has(id));
    expect(report.throughput.map((row) => row.candidate)).toEqual(expected);
    expect([...new Set(report.latency.map((row) => row.candidate))]).toEqual(expected);
    for (const row of report.throughput) {
      expect(row.perSecond, row.name).toBeGreaterThan(0);
      expect(row.received, row.name).toBeGreaterThan(0);
      expect(row.consumerCpuUsPerMessage, row.name).toBeGreaterThan(0);
      expect(row.consumerMaxRssMiB, row.name).toBeGreaterThan(10);
      expect(stdout).toContain(row.name);
    }
    for (const row of report.latency) {
      expect(ordered(row.latency), `${row.name}: ${JSON.stringify(row.latency)}`).toBe(true);
      expect(row.latency.curve.length).toBeGreaterThan(5);
    }
    for (const row of report.throughput.filter((entry) => entry.baseline !== undefined)) expect(row.ratio, row.name).toBeGreaterThan(0);
  });

  it('should run producer and consumer in their own processes, bar the in-memory transport', () => {
    for (const row of report.throughput) {
      const roles = row.processes.map((process) => process.role).sort();
      expect(roles, row.name).toEqual(row.candidate === 'statbus-memory' ? ['producer+consumer'] : ['consumer', 'producer']);
    }
  });

  it('should run the pipeline beside the transport-only rate, and report every message ZeroMQ lost (as a gap or a drop)', () => {
    const expected = haveBroker ? PIPELINE : PIPELINE.filter((id) => !AMQP.has(id));
    expect(report.pipeline.map((row) => row.candidate)).toEqual(expected);
    for (const row of report.pipeline) {
      expect(row.transportOnly.perSecond, row.name).toBeGreaterThan(0);
      expect(row.archived.perSecond, row.name).toBeGreaterThan(0);
      expect(row.ratio, row.name).toBeGreaterThan(0);
      expect(row.rates.map((rate) => rate.atTarget === true)).toEqual([false, true]);
      for (const rate of row.rates) expect(ordered(rate.latency), `${row.name}: ${JSON.stringify(rate.latency)}`).toBe(true);
      if (row.candidate === 'statbus-zeromq') {
        for (const run of [row.archived, ...row.rates]) expect((run.detected?.missed ?? 0) + (run.detected?.dropped ?? 0), JSON.stringify(run)).toBeGreaterThanOrEqual(run.lost);
      }
    }
    expect(stdout).toContain('Pipeline: producer → transport → archiver → store');
  });

  it.skipIf(!haveBroker)(`should measure the AMQP candidates over RabbitMQ at ${AMQP_URL}`, () => {
    expect(report.skipped).toEqual([]);
    expect(stdout).toContain('statbus AMQP');
  });

  it.skipIf(haveBroker)('should report the AMQP candidates as skipped by name when RabbitMQ is down', () => {
    expect(report.skipped.map((row) => `${row.candidate} ${row.mode}`).sort()).toEqual(['raw-amqp transport', 'statbus-amqp pipeline', 'statbus-amqp transport']);
    expect(stdout).toMatch(/skipped: statbus AMQP \(transport\): RabbitMQ not reachable/u);
  });

  it('should write one self-contained HTML page with the charts', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Delivered messages per second');
    expect(html).toContain('Latency at 500 msg/s');
    expect(html).toContain('Pipeline throughput');
    expect(html.match(/<svg /gu)?.length ?? 0).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/u);
  });

  it('should say the options and machine in the JSON', () => {
    expect(report).toMatchObject({ version: 1, options: { sizes: [1024], rates: [500], rounds: 1, producers: 1, consumers: 1 } });
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.loadAverage.start).toHaveLength(3);
    expect(Number.isNaN(Date.parse(report.date))).toBe(false);
  });
});

describe('statbus bench without a broker', () => {
  it('should skip the AMQP candidates by name, with the reason, and exit 0', async () => {
    const bench = startCli(['bench', '--quick', '--transport', 'amqp', '--amqp-url', 'amqp://guest:guest@127.0.0.1:1/%2F'], {});
    expect(await bench.exited).toBe(0);
    const skipped = bench.stdout().split('\n').filter((line) => line.startsWith('skipped: '));
    expect(skipped).toEqual([
      expect.stringMatching(/^skipped: raw amqplib \(confirms, persistent, manual ack\) \(transport\): RabbitMQ not reachable at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\/%2F: /u),
      expect.stringMatching(/^skipped: statbus AMQP \(transport\): RabbitMQ not reachable/u),
      expect.stringMatching(/^skipped: statbus AMQP \(pipeline\): RabbitMQ not reachable/u),
    ]);
  });
});

describe.concurrent('statbus bench flags', () => {
  it.each([
    [['--size', '8'], '--size'],
    [['--rate', 'fast'], '--rate'],
    [['--rounds', '0'], '--rounds'],
    [['--mode', 'latency'], '--mode'],
    [['--only', 'kafka'], '--only'],
    [['--transport', 'kafka'], '--transport'],
    [['--transport', 'amqp', '--only', 'raw'], '--transport or --only'],
    [['--store', 'postgres://x'], '--store'],
  ])('should exit 2 naming the flag for %j', async (args, flag) => {
    const bench = startCli(['bench', ...args], {});
    expect(await bench.exited).toBe(2);
    expect(bench.stderr()).toContain(flag);
  });
});
