import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseBenchSection, type BenchSection } from '../src/docs/bench-section.js';

/** Takes `--section=FILE` out of the arguments (the scripts' other arguments are positional). */
export function takeSectionFlag(argv: string[]): string | undefined {
  const index = argv.findIndex((arg) => arg.startsWith('--section='));
  if (index === -1) return undefined;
  const [flag] = argv.splice(index, 1);
  const file = flag?.slice('--section='.length) ?? '';
  if (file === '') throw new Error('--section needs a file: --section=store.json');
  return file;
}

/** This machine, as a section's `machine` line. */
export function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`;
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return loadavg()[0] ?? Number.NaN;
}

/** The commit of the checkout measured, or `unknown`. */
export function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Writes a benchmark's result as a section of docs/benchmarks.md (`npm run docs:benchmarks -- --section FILE` records it). */
export function writeSection(file: string, section: BenchSection): void {
  writeFileSync(file, `${JSON.stringify(parseBenchSection(section, file), null, 2)}\n`);
  console.log(`section written to ${file}: record it with npm run docs:benchmarks -- --section ${file}`);
}
