import type { CandidateResult } from './run-candidate.js';

const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

/** A plain-text table of the results, each statbus transport beside the raw library it wraps. */
export function formatTable(results: readonly CandidateResult[]): string {
  const rows = results.map((result) => {
    const ratio = result.ratio === undefined ? '' : `${fixed(result.ratio)}×`;
    return [
      result.name,
      Math.round(result.throughput.perSecond).toLocaleString('en-US'),
      result.rounds.map((rate) => Math.round(rate / 100) / 10).join(' / '),
      ratio,
      String(result.throughput.lost),
      result.detected === undefined ? 'n/a' : `${result.detected.gaps} (${result.detected.missed} msgs)`,
      fixed(result.latency.p50, 3),
      fixed(result.latency.p90, 3),
      fixed(result.latency.p99, 3),
      fixed(result.latency.p999, 3),
      String(result.latency.lost),
    ];
  });
  const header = ['candidate', 'delivered msg/s', 'rounds (k/s)', 'vs raw (median)', 'lost', 'gaps reported', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'lost @rate'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
