import type { BenchReport, MachineInfo } from '../report/bench-report.js';
import { busyOfProfiled, selfTimesLine } from '../report/cpu-profile.js';
import { codecSentences } from '../report/format-table.js';
import type { BenchSection } from './bench-section.js';

/** Where a run was measured, as one line: `2 × Intel Xeon, 23.5 GiB, Node v20.20.2, linux`. */
export function machineLine(machine: MachineInfo): string {
  return `${machine.cores} × ${machine.cpu}, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}, ${machine.platform}`;
}

/** The 1-minute load average at the start and at the end of a run. */
export function loadLine(start: readonly number[], end: readonly number[]): string {
  return `${(start[0] ?? Number.NaN).toFixed(2)} → ${(end[0] ?? Number.NaN).toFixed(2)}`;
}

const round = (value: number): number => Math.round(value);
const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function detected(row: { readonly detected?: { readonly gaps: number; readonly missed: number; readonly dropped: number } }): string {
  return row.detected === undefined ? 'n/a' : `${row.detected.gaps} (${row.detected.missed}) + ${row.detected.dropped}`;
}

/** Threads busy for less than this (ms) are left out of the profiles section: their start-up is most of what they did. */
const PROFILED_THREAD_MIN_BUSY_MS = 1_000;

/** The `statbus bench` flags a report ran with, as far as they shape its measurements. */
function benchFlagsOf(options: BenchReport['options']): string {
  const list = (values: readonly (string | number)[]): string => values.join(',');
  return [
    `--mode ${list(options.modes)}`,
    ...(options.only.length === 0 ? [] : [`--only ${JSON.stringify(list(options.only))}`]),
    `--rounds ${options.rounds}`,
    `--topics ${list(options.topics)}`,
    `--messages ${options.messages}`,
    `--rate ${list(options.rates)}`,
    `--duration ${options.duration}`,
  ].join(' ');
}

/**
 * The `profiles` section of a profiled report (`statbus bench --profile`): every thread busy for a second or more,
 * with its functions by self time. A profiled run's rates are slowed by the profiler, so it makes no other section.
 */
function profilesSection(report: BenchReport, common: Pick<BenchSection, 'date' | 'machine' | 'commit' | 'load'>): BenchSection {
  const rows = (report.profiles ?? []).flatMap((profile) =>
    profile.threads
      .filter((thread) => thread.busyMs >= PROFILED_THREAD_MIN_BUSY_MS)
      .map((thread) => [
        profile.what.replace(/ · round 1\/1$/u, ''),
        thread.process,
        thread.thread,
        busyOfProfiled(thread.busyMs, thread.totalMs),
        selfTimesLine(thread.top),
      ]),
  );
  return {
    section: 'profiles',
    title: 'Where the time goes: CPU profiles of statbus bench',
    ...common,
    command: `statbus bench ${benchFlagsOf(report.options)} --profile DIR --json bench.json`,
    summary:
      'Every process of a measurement runs under node --cpu-prof (every thread sampled). Per thread busy for a second or more: the time it was busy out of the time profiled (start-up and the drain included), and the functions with the most self time as shares of the busy time. Native code counts to the JavaScript function that called it: writeRows is SQLite inserting rows, sqliteTransaction its commits, next and send zeromq.js receiving and sending, handleWriteReq writing to a socket (amqplib frames). Profiled processes run slower: the rates in the other sections come from runs without the profiler.',
    table: { columns: ['measurement', 'process', 'thread', 'busy s / profiled s', 'functions with the most self time (share of busy time)'], rows },
  };
}

/**
 * The `transport` and `pipeline` sections of a `statbus bench --json` report (the modes it ran), with the
 * commit of the tree it measured; of a profiled report (`--profile`), its `profiles` section alone.
 */
export function sectionsFromBenchReport(report: BenchReport, commit: string): BenchSection[] {
  const common = { date: report.date, machine: machineLine(report.machine), commit, load: loadLine(report.machine.loadAverage.start, report.machine.loadAverage.end) };
  if ((report.profiles ?? []).length > 0) return [profilesSection(report, common)];
  const sections: BenchSection[] = [];
  if (report.throughput.length > 0) {
    const latency = report.latency.map(
      (row) => `${row.name}, ${row.rate.toLocaleString('en-US')} msg/s: p50 ${fixed(row.latency.p50, 2)} ms, p99 ${fixed(row.latency.p99, 2)} ms, lost ${row.lost}`,
    );
    sections.push({
      section: 'transport',
      title: 'Transports beside the raw libraries',
      ...common,
      command: `statbus bench --mode transport --rounds ${report.options.rounds} --json bench.json`,
      summary:
        'Each producer sends as fast as the candidate accepts; msg/s is the median over rounds, and "vs raw" the median of statbus ÷ raw within a round (the ratio holds when absolute rates drift on a shared machine). "topics": how many topics the messages rotate over, one subscription taking them all (8: the usual mix; 1: one topic alone; raw amqplib always sends on one). Latency runs use the first mix.',
      table: {
        columns: ['candidate', 'size (B)', 'topics', 'msg/s (median)', 'vs raw', 'lost', 'gaps (missed) + dropped', 'CPU µs/msg prod / cons', 'broker CPU µs/msg', 'peak RSS MiB prod / cons'],
        rows: report.throughput.map((row) => [
          row.name,
          row.size,
          row.topics ?? 1,
          round(row.perSecond),
          row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
          row.lost,
          detected(row),
          `${fixed(row.producerCpuUsPerMessage)} / ${fixed(row.consumerCpuUsPerMessage)}`,
          row.brokerCpuUsPerMessage === undefined ? '–' : fixed(row.brokerCpuUsPerMessage),
          `${round(row.producerMaxRssMiB)} / ${round(row.consumerMaxRssMiB)}`,
        ]),
      },
      notes: [...latency, ...codecSentences(report), ...report.skipped.map((row) => `skipped: ${row.name} (${row.mode}): ${row.reason}`)],
    });
  }
  if (report.pipeline.length > 0) {
    sections.push({
      section: 'pipeline',
      title: 'The archive pipeline (producer → transport → archiver → store)',
      ...common,
      command: `statbus bench --mode pipeline --rounds ${report.options.rounds} --json bench.json`,
      summary:
        'The archiver writing into the store beside a consumer that only acks; ratio = archived ÷ transport-only in the same round. Sustained is the highest fixed rate the archive kept up with (95 % achieved, nothing lost, backlog drained within a second). Archiver CPU: µs a message of its process\'s main thread / of the whole process (the store\'s index worker thread included); insertMany: the store alone on the same messages in the same run, calling thread / whole process until its indexes were complete. Broker: the CPU a message of a RabbitMQ broker on the same machine (from /proc), with the consumer that only acks and with the archiver.',
      table: {
        columns: ['candidate', 'store', 'transport-only msg/s', 'archived msg/s', 'ratio', 'sustained msg/s', 'drain ms', 'lost', 'archiver CPU µs/msg', 'insertMany CPU µs/msg', 'broker CPU µs/msg bus alone / archived'],
        rows: report.pipeline.map((row) => [
          row.name,
          row.store,
          round(row.transportOnly.perSecond),
          round(row.archived.perSecond),
          `${row.ratio.toFixed(2)}×`,
          row.sustainedRate === undefined ? '–' : round(row.sustainedRate),
          round(row.archived.drainMs),
          row.archived.lost,
          `${row.archived.consumerMainThreadCpuUsPerMessage === undefined ? '–' : row.archived.consumerMainThreadCpuUsPerMessage.toFixed(1)} / ${row.archived.consumerCpuUsPerMessage.toFixed(1)}`,
          row.insertMany === undefined ? '–' : `${row.insertMany.callingThreadCpuUsPerMessage === undefined ? '–' : row.insertMany.callingThreadCpuUsPerMessage.toFixed(1)} / ${row.insertMany.processCpuUsPerMessage.toFixed(1)}`,
          row.transportOnly.brokerCpuUsPerMessage === undefined || row.archived.brokerCpuUsPerMessage === undefined ? '–' : `${fixed(row.transportOnly.brokerCpuUsPerMessage)} / ${fixed(row.archived.brokerCpuUsPerMessage)}`,
        ]),
      },
    });
  }
  return sections;
}
