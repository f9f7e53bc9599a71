import { existsSync, readFileSync } from 'node:fs';
import type { MemorySample } from './rss-slope.js';

/** One line of `heap-probe.js`: what a process held right after a full garbage collection (MiB, `at` in ms). */
export interface ProbeSample {
  readonly at: number;
  readonly gcMs: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly rss: number;
  readonly rssAnon: number;
}

/** The samples a probe wrote to `file` so far (none when it wrote nothing yet); a line cut short is skipped. */
export function readProbeSamples(file: string): ProbeSample[] {
  if (!existsSync(file)) return [];
  const samples: ProbeSample[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      samples.push(JSON.parse(line) as ProbeSample);
    } catch {
      // The probe may be writing this line right now.
    }
  }
  return samples;
}

/**
 * What each sample says of `measure`, for the samples taken `fromMs` to `toMs` after `began`, as `[ms since began,
 * MiB]`: `heapUsed`, the live heap; `native`, the anonymous memory outside the heap V8 reserved (`RssAnon` less
 * `heapTotal`: SQLite's page cache, ZeroMQ's and the allocator's buffers), since V8 grows and shrinks its reservation
 * by tens of MiB on its own while the live heap inside it stays put.
 */
export function series(samples: readonly ProbeSample[], measure: 'heapUsed' | 'native', began: number, fromMs: number, toMs: number): MemorySample[] {
  return samples
    .filter((sample) => sample.at - began >= fromMs && sample.at - began <= toMs)
    .map((sample) => [sample.at - began, measure === 'heapUsed' ? sample.heapUsed : sample.rssAnon - sample.heapTotal] as const);
}
