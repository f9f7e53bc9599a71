import type { BenchReport, LatencyFigures, LossFigures } from './bench-report.js';
import { fixed, sizeLabel, textTable, whole } from './text-table.js';

const gaps = (row: LossFigures): string =>
  row.detected === undefined ? 'n/a' : `${row.detected.gaps} (${whole(row.detected.missed)})${row.detected.dropped === 0 ? '' : ` + ${whole(row.detected.dropped)}`}`;
/** p50, p90, p99, p99.9 with `digits` decimals, then the max with 2. */
const latencyCells = (latency: LatencyFigures, digits: number): string[] => [
  ...[latency.p50, latency.p90, latency.p99, latency.p999].map((ms) => fixed(ms, digits)),
  fixed(latency.max, 2),
];

const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(' ');

/** The end-of-run text: the machine, then one table per figure, skipped candidates and failures. */
export function formatReport(report: BenchReport): string {
  const { machine, options } = report;
  const sizes = new Set(report.throughput.map((row) => row.size)).size > 1 || options.sizes.length > 1;
  const sized = (cells: string[], size: number): string[] => (sizes ? [cells[0] as string, sizeLabel(size), ...cells.slice(1)] : cells);
  const sizedHeader = (cells: string[]): string[] => (sizes ? [cells[0] as string, 'size', ...cells.slice(1)] : cells);
  const parts: string[] = [
    `statbus bench — ${report.date} · ${machine.cores} × ${machine.cpu} · ${machine.memoryGiB} GiB · node ${machine.node} · load ${load(machine.loadAverage.start)} → ${load(machine.loadAverage.end)} · ${Math.round(report.durationSeconds)} s`,
    `${options.producers} producer(s) → ${options.consumers} consumer(s), each its own process (in-memory: one process); ${options.sizes.map(sizeLabel).join(', ')} messages`,
  ];
  if (report.throughput.length > 0) {
    parts.push(
      `Throughput: ${whole(options.messages)} messages per producer as fast as accepted; delivered msg/s of the median of ${options.rounds} round(s); CPU µs per message; peak RSS MiB`,
      textTable(
        sizedHeader(['candidate', 'msg/s', 'rounds (k/s)', 'vs raw', 'lost', 'gaps (missed) + dropped', 'prod µs/msg', 'cons µs/msg', 'prod MiB', 'cons MiB']),
        report.throughput.map((row) =>
          sized(
            [
              row.name,
              whole(row.perSecond),
              row.rounds.map((rate) => (rate / 1000).toFixed(1)).join(' / '),
              row.ratio === undefined ? '' : `${fixed(row.ratio)}×`,
              whole(row.lost),
              gaps(row),
              fixed(row.producerCpuUsPerMessage, 1),
              fixed(row.consumerCpuUsPerMessage, 1),
              fixed(row.producerMaxRssMiB, 0),
              fixed(row.consumerMaxRssMiB, 0),
            ],
            row.size,
          ),
        ),
      ),
    );
  }
  if (report.latency.length > 0) {
    parts.push(
      `Latency at fixed rates for ${options.duration} s: send → receipt (ms)`,
      textTable(
        sizedHeader(['candidate', 'rate', 'achieved', 'p50', 'p90', 'p99', 'p99.9', 'max', 'lost', 'gaps (missed) + dropped', 'prod µs/msg', 'cons µs/msg']),
        report.latency.map((row) =>
          sized(
            [
              row.name,
              whole(row.rate),
              whole(row.publishedPerSecond),
              ...latencyCells(row.latency, 3),
              whole(row.lost),
              gaps(row),
              fixed(row.producerCpuUsPerMessage, 1),
              fixed(row.consumerCpuUsPerMessage, 1),
            ],
            row.size,
          ),
        ),
      ),
    );
  }
  if (report.pipeline.length > 0) {
    parts.push(
      `Pipeline: producer → transport → archiver → store (${report.pipeline[0]?.store ?? ''}); one shared durable queue where the transport has one; median of ${options.rounds} round(s), each transport-only → archived`,
      textTable(
        sizedHeader(['transport', 'transport-only msg/s', 'archived msg/s', 'rounds (k/s)', 'ratio', 'lost', 'gaps (missed) + dropped', 'drain ms', 'archiver µs/msg', 'archiver MiB', 'sustained msg/s']),
        report.pipeline.map((row) =>
          sized(
            [
              row.name,
              whole(row.transportOnly.perSecond),
              whole(row.archived.perSecond),
              row.transportOnly.rounds.map((rate, round) => `${(rate / 1000).toFixed(1)}→${((row.archived.rounds[round] ?? Number.NaN) / 1000).toFixed(1)}`).join(' / '),
              `${fixed(row.ratio)}×`,
              whole(row.archived.lost),
              gaps(row.archived),
              whole(row.archived.drainMs),
              fixed(row.archived.consumerCpuUsPerMessage, 1),
              fixed(row.archived.consumerMaxRssMiB, 0),
              row.sustainedRate === undefined ? 'none kept up' : whole(row.sustainedRate),
            ],
            row.size,
          ),
        ),
      ),
      'Pipeline at fixed rates (and at 0.9× the transport-only rate, the target): publish → archived (ms)',
      textTable(
        sizedHeader(['transport', 'rate', 'achieved', 'p50', 'p90', 'p99', 'p99.9', 'max', 'drain ms', 'lost', 'gaps (missed) + dropped', 'kept up']),
        report.pipeline.flatMap((row) =>
          row.rates.map((rate) =>
            sized(
              [
                row.name,
                `${rate.atTarget === true ? '0.9× t-o = ' : ''}${whole(rate.rate)}`,
                whole(rate.publishedPerSecond),
                ...latencyCells(rate.latency, 2),
                whole(rate.drainMs),
                whole(rate.lost),
                gaps(rate),
                rate.keptUp ? 'yes' : 'no',
              ],
              row.size,
            ),
          ),
        ),
      ),
    );
  }
  for (const row of report.skipped) parts.push(`skipped: ${row.name} (${row.mode}): ${row.reason}`);
  if (report.interrupted === true) parts.push('INTERRUPTED: the figures above are those measured before the signal');
  for (const row of report.failures.filter((failure) => failure.error !== 'interrupted')) parts.push(`FAILED: ${row.what}: ${row.error}`);
  return `${parts.join('\n\n')}\n`;
}
