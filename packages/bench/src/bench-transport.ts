#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { AMQP_DEFAULTS, ZEROMQ_DEFAULTS } from '@statbus/core';
import { transportCandidates } from './transport/candidates.js';
import { measureLatency, measureThroughput, type CandidateResult } from './transport/run-candidate.js';
import { quantile } from './stats.js';
import { formatTable } from './transport/format-table.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    size: { type: 'string', default: '1024' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    'amqp-url': { type: 'string', default: AMQP_DEFAULTS.url },
    json: { type: 'string' },
  },
});

const options = {
  messages: Number(values.messages),
  size: Number(values.size),
  rate: Number(values.rate),
  seconds: Number(values.seconds),
  rounds: Number(values.rounds),
};
for (const [key, value] of Object.entries(options)) {
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`bench: --${key} must be a positive number\n`);
    process.exit(2);
  }
}

const candidates = transportCandidates({ amqpUrl: values['amqp-url'], highWaterMark: ZEROMQ_DEFAULTS.receive_hwm }).filter(
  (candidate) => values.only === undefined || candidate.name.toLowerCase().includes(values.only.toLowerCase()),
);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stderr.write(
  `statbus transport benchmark — ${new Date().toISOString()}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}\n` +
    `${options.messages} messages of ${options.size} B for throughput; ${options.rate} msg/s for ${options.seconds} s for latency\n\n`,
);

// Rounds alternate the candidates, so that a raw library and the statbus transport over it run minutes
// apart at most: on a shared machine the load drifts, and the per-round ratio cancels most of it.
const throughputs = new Map<string, Awaited<ReturnType<typeof measureThroughput>>[]>();
for (let round = 1; round <= options.rounds; round += 1) {
  for (const candidate of candidates) {
    process.stderr.write(`round ${round}/${options.rounds}: ${candidate.name} …\n`);
    try {
      const runs = throughputs.get(candidate.name) ?? [];
      runs.push(await measureThroughput(candidate, options));
      throughputs.set(candidate.name, runs);
    } catch (error) {
      process.stderr.write(`  ${candidate.name} failed: ${(error as Error).message}\n`);
    }
  }
}

const median = (values: readonly number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);
const results: CandidateResult[] = [];
for (const candidate of candidates) {
  const runs = throughputs.get(candidate.name);
  if (runs === undefined || runs.length === 0) continue;
  process.stderr.write(`latency at ${options.rate} msg/s: ${candidate.name} …\n`);
  const latency = await measureLatency(candidate, options).catch((error: unknown) => {
    process.stderr.write(`  ${candidate.name} failed: ${(error as Error).message}\n`);
    return undefined;
  });
  if (latency === undefined) continue;
  const rates = runs.map((run) => run.throughput.perSecond);
  const middle = [...runs].sort((a, b) => a.throughput.perSecond - b.throughput.perSecond)[Math.floor((runs.length - 1) / 2)] ?? runs[0];
  const baselineRuns = candidate.baseline === undefined ? undefined : throughputs.get(candidate.baseline);
  const ratios = baselineRuns === undefined ? [] : rates.flatMap((rate, index) => (baselineRuns[index] === undefined ? [] : [rate / (baselineRuns[index]?.throughput.perSecond ?? Number.NaN)]));
  const detected = runs.reduce<{ gaps: number; missed: number } | undefined>(
    (sum, run) => (run.detected === undefined ? sum : { gaps: (sum?.gaps ?? 0) + run.detected.gaps, missed: (sum?.missed ?? 0) + run.detected.missed }),
    undefined,
  );
  results.push({
    name: candidate.name,
    ...(candidate.baseline === undefined ? {} : { baseline: candidate.baseline }),
    throughput: { ...(middle as (typeof runs)[number]).throughput, lost: runs.reduce((sum, run) => sum + run.throughput.lost, 0) },
    rounds: rates,
    ...(ratios.length === 0 ? {} : { ratio: median(ratios) }),
    latency,
    ...(detected === undefined ? {} : { detected }),
  });
}

process.stdout.write(`\n${formatTable(results)}\n`);
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), cpu, cores: cpus().length, options, results }, null, 2)}\n`);
