import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_OPTIONS } from '../bench-options.js';
import { latencyFigures } from '../stats.js';
import type { BenchReport, PipelineRow, ResourceFigures } from './bench-report.js';
import { formatReport } from './format-table.js';
import { renderHtml } from './render-html.js';
import { ninesOf } from './svg-charts.js';

const resources = (single = false): ResourceFigures => ({
  producerCpuUsPerMessage: single ? Number.NaN : 12.5,
  consumerCpuUsPerMessage: 20,
  producerMaxRssMiB: 80,
  consumerMaxRssMiB: 90,
  processes: single ? [{ role: 'producer+consumer', pid: 3, cpuMs: 10, maxRssMiB: 90 }] : [{ role: 'producer', pid: 1, cpuMs: 10, maxRssMiB: 80 }, { role: 'consumer', pid: 2, cpuMs: 12, maxRssMiB: 90 }],
});
const loss = { sent: 1000, expected: 1000, received: 1000, lost: 0 };
const curve = latencyFigures([0.2, 0.3, 0.4, 1.5, 9]);

const report: BenchReport = {
  version: 1,
  date: '2026-11-28T01:00:00.000Z',
  durationSeconds: 42,
  machine: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 23.5, node: 'v20.20.2', platform: 'linux 6.1', loadAverage: { start: [0.5, 0.4, 0.3], end: [0.6, 0.5, 0.4] } },
  options: { ...DEFAULT_BENCH_OPTIONS, amqpUrl: 'amqp://guest:***@127.0.0.1:5672/%2F' },
  throughput: [
    { candidate: 'raw-zeromq', name: 'raw <zeromq> & co', size: 1024, topics: 8, perSecond: 40_000, rounds: [39_000, 40_000, 41_000], ...loss, ...resources() },
    { candidate: 'statbus-zeromq', name: 'statbus ZeroMQ', baseline: 'raw-zeromq', size: 1024, topics: 8, perSecond: 20_000, rounds: [19_000, 20_000, 21_000], ratio: 0.5, ...loss, lost: 5, detected: { gaps: 1, missed: 3, dropped: 2 }, ...resources() },
    { candidate: 'statbus-memory', name: 'statbus in-memory', size: 1024, perSecond: 30_000, rounds: [30_000], ...loss, detected: { gaps: 0, missed: 0, dropped: 0 }, ...resources(true) },
  ],
  latency: [
    { candidate: 'raw-zeromq', name: 'raw <zeromq> & co', size: 1024, rate: 1000, publishedPerSecond: 1000, latency: curve, ...loss, ...resources() },
    { candidate: 'statbus-zeromq', name: 'statbus ZeroMQ', size: 1024, rate: 1000, publishedPerSecond: 999, latency: curve, ...loss, ...resources() },
  ],
  pipeline: [
    {
      candidate: 'statbus-zeromq',
      name: 'statbus ZeroMQ',
      size: 1024,
      store: 'sqlite (a fresh file in a temporary directory)',
      transportOnly: { perSecond: 20_000, rounds: [20_000], ...loss, ...resources() },
      archived: { perSecond: 18_000, rounds: [18_000], publishedPerSecond: 25_000, drainMs: 300, ...loss, ...resources(), consumerMainThreadCpuUsPerMessage: 14 },
      ratio: 0.9,
      insertMany: { messages: 50_000, batch: 500, perSecond: 40_000, callingThreadCpuUsPerMessage: 11.5, processCpuUsPerMessage: 19 },
      rates: [
        { rate: 1000, publishedPerSecond: 1000, latency: curve, drainMs: 150, keptUp: true, ...loss },
        { rate: 18_000, publishedPerSecond: 17_500, latency: curve, drainMs: 4_000, keptUp: false, atTarget: true, ...loss },
      ],
      sustainedRate: 1000,
    },
  ],
  codec: [{ size: 1024, bytes: 1001, encodeUs: 2.5, decodeUs: 2 }].map((row) => ({ ...row, parseUs: 1.25 })),
  skipped: [{ candidate: 'statbus-amqp', name: 'statbus AMQP', mode: 'transport', reason: 'RabbitMQ not reachable at amqp://127.0.0.1: ECONNREFUSED' }],
  failures: [{ candidate: 'raw-amqp', name: 'raw amqplib', what: 'raw amqplib · latency', error: 'boom' }],
};

describe('formatReport', () => {
  const text = formatReport(report);

  it('should give the machine, the date and the load average', () => {
    expect(text).toContain('statbus bench — 2026-11-28T01:00:00.000Z · 42 s\n2 × AMD EPYC · 23.5 GiB · node v20.20.2 · load 0.50 0.40 0.30 → 0.60 0.50 0.40');
  });

  it('should have a row per candidate with its topic mix, rate, ratio to raw, reported gaps and CPU', () => {
    expect(text).toMatch(/statbus ZeroMQ\s+8\s+20,000\s+19\.0 \/ 20\.0 \/ 21\.0\s+0\.50×\s+5\s+1 \(3\) \+ 2\n/u);
    // The columns that do not fit in 100 go to a second table that repeats the candidate.
    expect(text).toMatch(/candidate\s+CPU µs\/msg prod \/ cons\s+RSS MiB prod \/ cons\n[- ]+\nraw <zeromq> & co\s+12\.5 \/ 20\.0\s+80 \/ 90\nstatbus ZeroMQ\s+12\.5 \/ 20\.0/u);
    expect(text).toMatch(/raw <zeromq> & co\s+8\s+40,000/u);
    expect(text).toMatch(/statbus in-memory\s+one\s+30,000/u);
    expect(text).toMatch(/statbus in-memory\s+– \/ 20\.0/u);
  });

  it('should give the pipeline beside the bus-alone rate, and each fixed-rate run', () => {
    expect(text).toMatch(/statbus ZeroMQ\s+20,000\s+18,000\s+0\.90\s+20\.0→18\.0/u);
    expect(text).toMatch(/statbus ZeroMQ\s+1,000\s+1,000\s+0\.40/u);
    expect(text).toMatch(/statbus ZeroMQ\s+0\.95× bus = 18,000\s+17,500/u);
    expect(text).toMatch(/kept up\n[- ]+\nstatbus ZeroMQ\s+0\s+n\/a\s+yes\nstatbus ZeroMQ\s+0\s+n\/a\s+no/u);
  });

  it('should give the codec alone beside what the raw library spent a message, and the ceiling that leaves', () => {
    const flat = text.replace(/\n/gu, ' ');
    expect(flat).toContain('Envelope codec alone at 1 KiB (1,001 B), in the bench\'s process: encode 2.50 µs, decode 2.00 µs (JSON.parse alone 1.25 µs)');
    // raw spent 12.5 µs producing and 20 µs consuming: 12.5 / 2.5 = 5×, 20 / 2 = 10×; the lower one bounds the rate.
    expect(flat).toContain('raw <zeromq> & co over 8 topics spent 12.50 / 20.00 µs a message (producer / consumer), so sides that did nothing but encode and decode would reach at most 5.00× its rate.');
    // 32.5 µs × 40,000 msg/s = 1.3 cores; twice 40,000 msg/s on 2 cores leaves 2,000,000 / 80,000 = 25 µs.
    expect(flat).toContain('Both processes share 2 cores: raw <zeromq> & co over 8 topics kept 1.30 of them busy (32.5 µs a message, producer and consumer together); at twice its rate statbus ZeroMQ would have 25.0 µs a message for both processes, 4.5 of them taken by encoding and decoding alone; it spent 32.5.');
  });

  it('should give the CPU a message of a RabbitMQ broker on the same machine, beside what the raw library kept busy', () => {
    const amqp: BenchReport = {
      ...report,
      throughput: [
        { candidate: 'raw-amqp', name: 'raw amqplib', size: 1024, topics: 8, perSecond: 10_000, rounds: [10_000], ...loss, ...resources(), brokerCpuUsPerMessage: 80 },
        { candidate: 'statbus-amqp', name: 'statbus AMQP', baseline: 'raw-amqp', size: 1024, topics: 8, perSecond: 9_000, rounds: [9_000], ratio: 0.9, ...loss, ...resources(), brokerCpuUsPerMessage: 82.5 },
      ],
    };
    const flat = formatReport(amqp).replace(/\n/gu, ' ');
    // (12.5 + 20 + 80) µs × 10,000 msg/s = 1.125 cores.
    expect(flat).toContain('The RabbitMQ broker runs on the same cores: it spent 80.0 µs of CPU a message for raw amqplib over 8 topics and 82.5 for statbus AMQP; with it, raw amqplib\'s producer, consumer and broker kept 1.13 of the 2 cores busy.');
    expect(formatReport(report)).not.toContain('RabbitMQ broker runs');
  });

  it('should say in words what the pipeline row measured', () => {
    const prose = text.replace(/\s+/gu, ' ');
    expect(prose).toContain('statbus ZeroMQ: bus alone 20,000 msg/s, bus + archive 18,000 msg/s; archive falls behind: it keeps 0.90 of the bus rate; sustained 1,000 msg/s at a fixed rate');
    expect(prose).toContain('"bus alone": a consumer that only acks; "bus + archive": the archiver writing every message into the store');
    expect(prose).toContain(
      "archiver 14.0 µs CPU a message on its main thread, 20.0 in all (index worker included); the store's insertMany alone (same messages, batches of 500): 11.5 µs on the calling thread, 19.0 in all",
    );
    const withBroker = report.pipeline.map((row) => ({ ...row, transportOnly: { ...row.transportOnly, brokerCpuUsPerMessage: 67.5 }, archived: { ...row.archived, brokerCpuUsPerMessage: 70 } }));
    // (12.5 + 20 + 67.5) µs × 20,000 msg/s = 2 cores.
    expect(formatReport({ ...report, pipeline: withBroker }).replace(/\s+/gu, ' ')).toContain(
      'the RabbitMQ broker, on the same cores, 67.5 µs CPU a message bus alone (with the producer and the consumer that only acks, 2.00 cores busy), 70.0 with the archive',
    );
    expect(prose).not.toContain('RabbitMQ broker');
    const keepsUp = formatReport({ ...report, pipeline: report.pipeline.map((row) => ({ ...row, ratio: 0.97 })) });
    expect(keepsUp.replace(/\s+/gu, ' ')).toContain('archive keeps up: 0.97 of the bus rate');
  });

  it('should fit every line of a realistic report in 100 columns', () => {
    const names = ['raw zeromq.js PUB/SUB', 'statbus ZeroMQ', 'raw amqplib (confirms, persistent, manual ack)', 'statbus AMQP', 'statbus in-memory'];
    const realistic: BenchReport = {
      ...report,
      options: { ...report.options, sizes: [256, 1024, 16_384] },
      throughput: [256, 1024, 16_384].flatMap((size) =>
        [8, 1].flatMap((topics) =>
          names.map((name, index) => ({
            candidate: `c${index}`,
            name,
            size,
            topics,
            perSecond: 123_456.7,
            rounds: [123_456, 99_999, 100_001],
            ratio: 2.34,
            ...loss,
            lost: 12_345,
            detected: { gaps: 1_234, missed: 123_456, dropped: 12_345 },
            ...resources(),
          })),
        ),
      ),
      latency: names.map((name, index) => ({ candidate: `c${index}`, name, size: 1024, rate: 5000, publishedPerSecond: 4999, latency: curve, ...loss, lost: 1_000, detected: { gaps: 10, missed: 1_000, dropped: 5 }, ...resources() })),
      pipeline: [report.pipeline[0] as PipelineRow, { ...(report.pipeline[0] as PipelineRow), name: 'statbus AMQP', store: 'sqlite (a fresh file in a temporary directory)' }],
      skipped: [{ candidate: 'statbus-amqp', name: 'statbus AMQP', mode: 'transport', reason: `RabbitMQ not reachable at amqp://127.0.0.1: ${'ECONNREFUSED '.repeat(12)}` }],
    };
    expect(formatReport(realistic)).toContain(`skipped: statbus AMQP (transport): RabbitMQ not reachable at amqp://127.0.0.1: ${'ECONNREFUSED '.repeat(12)}`);
    // A skip or a failure is one line however long (scripts look for it); everything else fits.
    const lines = formatReport(realistic).split('\n').filter((line) => !/^(skipped|FAILED): /u.test(line));
    expect(lines.filter((line) => line.length > 100)).toEqual([]);
    expect(lines.filter((line) => line.startsWith('raw amqplib (confirms, persistent, manual ack)')).length).toBeGreaterThan(6);
  });

  it('should list skipped candidates by name with the reason, and failures', () => {
    expect(text).toContain('skipped: statbus AMQP (transport): RabbitMQ not reachable at amqp://127.0.0.1: ECONNREFUSED');
    expect(text).toContain('FAILED: raw amqplib · latency: boom');
  });
});

describe('formatReport of an interrupted run', () => {
  it('should say so, and not list the interrupted measurement as a failure', () => {
    const text = formatReport({ ...report, failures: [{ candidate: 'raw-zeromq', name: 'raw zeromq', what: 'raw zeromq · throughput', error: 'interrupted' }], interrupted: true });
    expect(text).toContain('INTERRUPTED: the figures above are those measured before the signal');
    expect(text).not.toContain('FAILED');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(report);

  it('should be one page with no script, stylesheet link or remote resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/u);
  });

  it('should draw throughput bars, CPU bars, latency curves and the pipeline', () => {
    expect(html.match(/<svg /gu)).toHaveLength(6);
    expect(html).toContain('statbus ZeroMQ at 18,000 msg/s: fell behind');
    expect(html).toContain('Delivered messages per second, 1 KiB messages');
    expect(html).toContain('0.50× raw');
    expect(html).toContain('Latency at 1,000 msg/s, 1 KiB messages');
    expect(html).toContain('Pipeline throughput, 1 KiB messages');
    expect(html).toContain('0.90× transport-only');
    expect(html).toContain('Publish → archived at 1,000 msg/s');
  });

  it('should escape names', () => {
    expect(html).not.toContain('raw <zeromq>');
    expect(html).toContain('raw &#60;zeromq&#62; &#38; co');
  });

  it('should show skipped candidates and failures', () => {
    expect(html).toContain('Skipped <b>statbus AMQP</b>');
    expect(html).toContain('Failed: <b>raw amqplib · latency</b>');
  });
});

describe('ninesOf', () => {
  it('should put p90, p99, p99.9 one step apart and max at the end', () => {
    expect(ninesOf(0)).toBeCloseTo(0);
    expect(ninesOf(90)).toBeCloseTo(1);
    expect(ninesOf(99)).toBeCloseTo(2);
    expect(ninesOf(99.9)).toBeCloseTo(3);
    expect(ninesOf(100)).toBe(4.5);
  });
});
