import { describe, expect, it } from 'vitest';
import type { BenchReport, ThroughputRow } from '../report/bench-report.js';
import { sectionsFromBenchReport } from './bench-report-sections.js';
import { parseBenchSection } from './bench-section.js';

const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.20.2', platform: 'linux', loadAverage: { start: [0.5, 0.4, 0.3], end: [0.75, 0.5, 0.3] } };
const resources = { producerCpuUsPerMessage: 10, consumerCpuUsPerMessage: 12, producerMaxRssMiB: 60.4, consumerMaxRssMiB: 80.6, processes: [] };
const throughput: ThroughputRow = {
  candidate: 'statbus-zeromq', name: 'statbus ZeroMQ', size: 1024, perSecond: 54_249.4, rounds: [54_000], ratio: 0.8234,
  sent: 100, expected: 100, received: 100, lost: 0, detected: { gaps: 0, missed: 0, dropped: 0 }, ...resources,
};

function report(overrides: Partial<BenchReport>): BenchReport {
  return {
    version: 1, date: '2026-12-06T10:00:00.000Z', durationSeconds: 10, machine, options: { rounds: 3 } as never,
    throughput: [], latency: [], pipeline: [], skipped: [], failures: [], ...overrides,
  };
}

describe('sectionsFromBenchReport', () => {
  it('should make a valid transport section of the throughput rows, with the date, machine, commit and load', () => {
    const [section, ...rest] = sectionsFromBenchReport(report({ throughput: [throughput] }), 'abc1234');
    expect(rest).toEqual([]);
    expect(parseBenchSection(section, 'transport')).toMatchObject({
      section: 'transport',
      date: '2026-12-06T10:00:00.000Z',
      machine: '2 × Test CPU, 4.0 GiB, Node v20.20.2, linux',
      commit: 'abc1234',
      load: '0.50 → 0.75',
    });
    // A report made before topic mixes has no topics: one topic.
    expect(section?.table.rows).toEqual([['statbus ZeroMQ', 1024, 1, 54_249, '0.82×', 0, '0 (0) + 0', '10.0 / 12.0', '–', '60 / 81']]);
  });

  it('should give the CPU a message of a broker measured on the same machine in its own column', () => {
    const amqp: ThroughputRow = { ...throughput, candidate: 'statbus-amqp', name: 'statbus AMQP', topics: 8, detected: { gaps: 0, missed: 0, dropped: 0 }, brokerCpuUsPerMessage: 79.44 };
    const [section] = sectionsFromBenchReport(report({ throughput: [amqp] }), 'abc1234');
    const column = section?.table.columns.indexOf('broker CPU µs/msg') ?? -1;
    expect(column).toBeGreaterThan(0);
    expect(section?.table.rows[0]?.[column]).toBe('79.4');
  });

  it('should make only the profiles section of a profiled report, of the threads busy for a second or more', () => {
    const options = { modes: ['transport'], only: ['zeromq'], rounds: 1, topics: [8], messages: 400_000, rates: [1000], duration: 1 } as never;
    const top = [{ name: 'decodeEnvelope core/envelope-codec.js:229', ms: 800, share: 0.32 }];
    const threads = [
      { process: 'consumer c0', thread: 'main thread', totalMs: 8_000, busyMs: 2_500, top },
      { process: 'producer p0', thread: 'main thread', totalMs: 8_000, busyMs: 400, top },
    ];
    const [section, ...rest] = sectionsFromBenchReport(report({ options, throughput: [throughput], profiles: [{ what: 'statbus ZeroMQ · throughput 1 KiB, 8 topics · round 1/1', threads }] }), 'abc1234');
    expect(rest).toEqual([]);
    expect(parseBenchSection(section, 'profiles')).toMatchObject({
      section: 'profiles',
      commit: 'abc1234',
      command: 'statbus bench --mode transport --only "zeromq" --rounds 1 --topics 8 --messages 400000 --rate 1000 --duration 1 --profile DIR --json bench.json',
    });
    expect(section?.table.rows).toEqual([['statbus ZeroMQ · throughput 1 KiB, 8 topics', 'consumer c0', 'main thread', '2.5 / 8.0', 'decodeEnvelope core/envelope-codec.js:229 32 %']]);
  });

  it('should make no section for a mode the report did not run', () => {
    expect(sectionsFromBenchReport(report({}), 'abc1234')).toEqual([]);
  });
});
