import type { BenchReport } from './bench-report.js';
import { formatReport } from './format-table.js';
import { PALETTE, barChart, escapeXml, percentileChart, type Bar } from './svg-charts.js';
import { sizeLabel } from './text-table.js';

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d2430}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #dde2ea;padding-bottom:.2rem}
.meta{color:#5a6578}.chart{width:100%;height:auto;margin:.6rem 0 1.2rem;font:12px system-ui,sans-serif}
.chart .title{font-weight:600;font-size:13px}.chart .grid{stroke:#e3e7ee;stroke-width:1}
.skipped,.failed{padding:.5rem .8rem;border-radius:6px;margin:.3rem 0}.skipped{background:#fff6dd}.failed{background:#fde3e1}
pre{background:#f5f7fa;padding:1rem;overflow-x:auto;font-size:12px}details{margin-top:2rem}
`;

/**
 * The report as one self-contained HTML page (no script, no network): throughput bars per candidate,
 * latency percentile curves per rate, the pipeline beside the transport-only rate, and the text tables.
 */
export function renderHtml(report: BenchReport): string {
  const colors = new Map<string, string>();
  const color = (id: string): string => {
    if (!colors.has(id)) colors.set(id, PALETTE[colors.size % PALETTE.length] as string);
    return colors.get(id) as string;
  };
  const names = new Map<string, string>();
  for (const row of report.throughput) names.set(row.candidate, row.name);
  const sizes = [...new Set([...report.throughput, ...report.latency, ...report.pipeline].map((row) => row.size))].sort((a, b) => a - b);
  const sections: string[] = [];
  const { machine } = report;
  sections.push(
    `<h1>statbus bench</h1><p class="meta">${escapeXml(report.date)} · ${machine.cores} × ${escapeXml(machine.cpu)} · ${machine.memoryGiB} GiB · node ${escapeXml(machine.node)} · ${escapeXml(machine.platform)} · load average ${machine.loadAverage.start.map((value) => value.toFixed(2)).join(' ')} at the start, ${machine.loadAverage.end.map((value) => value.toFixed(2)).join(' ')} at the end · ${Math.round(report.durationSeconds)} s</p>`,
    `<p>${report.options.producers} producer(s) and ${report.options.consumers} consumer(s), each in its own process (the in-memory transport runs both in one). Rates are messages delivered per second; CPU and memory are those of the benchmark's own processes (not RabbitMQ's).</p>`,
  );
  if (report.interrupted === true) sections.push('<p class="failed">Interrupted: these are the figures measured before the signal.</p>');
  for (const row of report.skipped) sections.push(`<p class="skipped">Skipped <b>${escapeXml(row.name)}</b> (${escapeXml(row.mode)}): ${escapeXml(row.reason)}</p>`);
  for (const row of report.failures.filter((failure) => failure.error !== 'interrupted')) sections.push(`<p class="failed">Failed: <b>${escapeXml(row.what)}</b>: ${escapeXml(row.error)}</p>`);
  const mixes = new Set(report.throughput.map((row) => row.topics ?? 1)).size > 1;
  const throughputLabel = (row: BenchReport['throughput'][number]): string => (mixes ? `${row.name}, ${(row.topics ?? 1) === 1 ? 'one topic' : `${row.topics} topics`}` : row.name);
  if (report.throughput.length > 0) {
    sections.push('<h2>Throughput</h2>');
    for (const size of sizes) {
      const rows = report.throughput.filter((row) => row.size === size);
      const bars: Bar[] = rows.map((row) => ({
        label: throughputLabel(row),
        value: row.perSecond,
        color: color(row.candidate),
        ...(row.ratio === undefined ? {} : { note: `${row.ratio.toFixed(2)}× raw` }),
      }));
      sections.push(barChart({ title: `Delivered messages per second, ${sizeLabel(size)} messages (median of ${report.options.rounds} round(s))`, bars, unit: 'msg/s' }));
      sections.push(
        barChart({
          title: `CPU time per message, producer + consumer processes (${sizeLabel(size)})`,
          bars: rows.map((row) => ({ label: throughputLabel(row), value: (Number.isFinite(row.producerCpuUsPerMessage) ? row.producerCpuUsPerMessage : 0) + row.consumerCpuUsPerMessage, color: color(row.candidate) })),
          unit: 'µs',
        }),
      );
    }
  }
  if (report.latency.length > 0) {
    sections.push('<h2>Latency at fixed rates</h2><p>Send → receipt. Across: percentiles (p50, p90, p99, p99.9…); up: milliseconds, log scale. Lower and flatter is better.</p>');
    for (const size of sizes) {
      for (const rate of [...new Set(report.latency.map((row) => row.rate))]) {
        const rows = report.latency.filter((row) => row.size === size && row.rate === rate);
        if (rows.length === 0) continue;
        sections.push(percentileChart({ title: `Latency at ${rate.toLocaleString('en-US')} msg/s, ${sizeLabel(size)} messages`, curves: rows.map((row) => ({ label: row.name, color: color(row.candidate), points: row.latency.curve })) }));
      }
    }
  }
  if (report.pipeline.length > 0) {
    sections.push(`<h2>Pipeline: producer → transport → archiver → store</h2><p>Store: ${escapeXml(report.pipeline[0]?.store ?? '')}. The transport-only rate runs the same producer and queue with a consumer that acks on receipt; the archived rate counts a message when the archiver acks it, after its batch is written.</p>`);
    for (const size of sizes) {
      const rows = report.pipeline.filter((row) => row.size === size);
      const bars: Bar[] = rows.flatMap((row) => [
        { label: `${row.name}: transport only`, value: row.transportOnly.perSecond, color: '#9aa5b5' },
        { label: `${row.name}: archived`, value: row.archived.perSecond, color: color(row.candidate), note: `${row.ratio.toFixed(2)}× transport-only` },
      ]);
      sections.push(barChart({ title: `Pipeline throughput, ${sizeLabel(size)} messages`, bars, unit: 'msg/s' }));
      for (const rate of [...new Set(rows.flatMap((row) => row.rates.filter((entry) => entry.atTarget !== true).map((entry) => entry.rate)))]) {
        const curves = rows.flatMap((row) => row.rates.filter((entry) => entry.rate === rate && entry.atTarget !== true).map((entry) => ({ label: `${row.name}${entry.keptUp ? '' : ' (fell behind)'}`, color: color(row.candidate), points: entry.latency.curve })));
        sections.push(percentileChart({ title: `Publish → archived at ${rate.toLocaleString('en-US')} msg/s, ${sizeLabel(size)} messages`, curves }));
      }
      const targets = rows.flatMap((row) => row.rates.filter((entry) => entry.atTarget === true).map((entry) => ({ label: `${row.name} at ${entry.rate.toLocaleString('en-US')} msg/s: ${entry.keptUp ? 'kept up' : 'fell behind'}`, color: color(row.candidate), points: entry.latency.curve })));
      if (targets.length > 0) sections.push(percentileChart({ title: `Publish → archived at 0.95× each transport-only rate (the target), ${sizeLabel(size)} messages`, curves: targets }));
    }
  }
  sections.push(`<details open><summary>All figures</summary><pre>${escapeXml(formatReport(report))}</pre></details>`);
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>statbus bench ${escapeXml(report.date)}</title><style>${STYLE}</style></head><body>${sections.join('\n')}</body></html>\n`;
}
