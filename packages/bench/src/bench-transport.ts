#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { AMQP_DEFAULTS, ZEROMQ_DEFAULTS } from '@statbus/core';
import { transportCandidates } from './transport/candidates.js';
import { runCandidate, type CandidateResult } from './transport/run-candidate.js';
import { formatTable } from './transport/format-table.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    size: { type: 'string', default: '1024' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
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

const results: CandidateResult[] = [];
for (const candidate of candidates) {
  process.stderr.write(`running ${candidate.name} …\n`);
  try {
    results.push(await runCandidate(candidate, options));
  } catch (error) {
    process.stderr.write(`  ${candidate.name} failed: ${(error as Error).message}\n`);
  }
}

process.stdout.write(`\n${formatTable(results)}\n`);
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), cpu, cores: cpus().length, options, results }, null, 2)}\n`);
