import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchReport } from '../report/bench-report.js';
import { sectionsFromBenchReport } from './bench-report-sections.js';
import { parseBenchSection } from './bench-section.js';
import { recordBenchSection, writeBenchmarksDoc } from './benchmarks-doc.js';

const USAGE = `Usage: write-benchmarks-doc [--results DIR] [--out FILE] [--bench-report FILE] [--section FILE]... [--commit HASH]
  Records the results given (each replaces its benchmark's section) and regenerates the document from every section.
  --results DIR        one JSON file per benchmark (default docs/bench-results)
  --out FILE           the document (default docs/benchmarks.md)
  --bench-report FILE  a \`statbus bench --json\` report: its transport and pipeline sections
  --section FILE       a section another benchmark wrote (query, store, import, metrics, soak…)
  --commit HASH        the commit measured, for --bench-report (default: git rev-parse --short HEAD)`;

function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function main(argv: readonly string[]): void {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      results: { type: 'string', default: 'docs/bench-results' },
      out: { type: 'string', default: 'docs/benchmarks.md' },
      'bench-report': { type: 'string' },
      section: { type: 'string', multiple: true },
      commit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const results = resolve(values.results);
  if (values['bench-report'] !== undefined) {
    const report = JSON.parse(readFileSync(values['bench-report'], 'utf8')) as BenchReport;
    if (report.version !== 1) throw new Error(`${values['bench-report']}: not a statbus bench report of version 1`);
    for (const section of sectionsFromBenchReport(report, values.commit ?? headCommit())) process.stdout.write(`recorded ${recordBenchSection(results, section)}\n`);
  }
  for (const file of values.section ?? []) {
    const section = parseBenchSection(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
    process.stdout.write(`recorded ${recordBenchSection(results, section)}\n`);
  }
  const written = writeBenchmarksDoc(results, resolve(values.out));
  process.stdout.write(`wrote ${values.out}: ${written.map((section) => section.section).join(', ')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`write-benchmarks-doc: ${(error as Error).message}\n${USAGE}\n`);
  process.exitCode = 2;
}
