import { performance } from 'node:perf_hooks';
import { summarise, type LatencySummary } from '../stats.js';
import type { BenchCandidate, BenchPair } from './scenario.js';

/** The figures of one candidate. */
export interface CandidateResult {
  readonly name: string;
  readonly baseline?: string;
  readonly throughput: { sent: number; received: number; seconds: number; perSecond: number; lost: number };
  readonly latency: LatencySummary & { rate: number; lost: number };
  readonly detected?: { gaps: number; missed: number };
}

/** How long to wait for stragglers once no message arrives any more. */
const IDLE_MS = 2_000;

async function drain(received: () => number, expected: number): Promise<void> {
  let last = received();
  let lastChange = performance.now();
  while (received() < expected && performance.now() - lastChange < IDLE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (received() !== last) {
      last = received();
      lastChange = performance.now();
    }
  }
}

async function throughput(pair: BenchPair, count: number): Promise<CandidateResult['throughput']> {
  let received = 0;
  let lastAt = 0;
  pair.onReceive(() => {
    received += 1;
    lastAt = performance.now();
  });
  const started = performance.now();
  for (let index = 0; index < count; index += 1) await pair.send(index, 0);
  await pair.flush();
  await drain(() => received, count);
  const seconds = ((received === count ? lastAt : performance.now()) - started) / 1000;
  return { sent: count, received, seconds, perSecond: received / seconds, lost: count - received };
}

async function latency(pair: BenchPair, rate: number, seconds: number): Promise<CandidateResult['latency']> {
  const samples: number[] = [];
  pair.onReceive((stamp) => samples.push(performance.now() - stamp));
  const count = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    await pair.send(index, performance.now());
  }
  await pair.flush();
  await drain(() => samples.length, count);
  return { ...summarise(samples), rate, lost: count - samples.length };
}

/** Runs the throughput then the fixed-rate latency run of one candidate, each on a fresh pair. */
export async function runCandidate(
  candidate: BenchCandidate,
  options: { size: number; messages: number; rate: number; seconds: number },
): Promise<CandidateResult> {
  const first = await candidate.open(options.size);
  let detected: { gaps: number; missed: number } | undefined;
  let tput: CandidateResult['throughput'];
  try {
    tput = await throughput(first, options.messages);
    detected = first.detected();
  } finally {
    await first.close();
  }
  const second = await candidate.open(options.size);
  try {
    const lat = await latency(second, options.rate, options.seconds);
    return {
      name: candidate.name,
      ...(candidate.baseline === undefined ? {} : { baseline: candidate.baseline }),
      throughput: tput,
      latency: lat,
      ...(detected === undefined ? {} : { detected }),
    };
  } finally {
    await second.close();
  }
}
