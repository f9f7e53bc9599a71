import { performance } from 'node:perf_hooks';
import { summarise, type LatencySummary } from '../stats.js';
import type { BenchCandidate, BenchPair } from './scenario.js';

/** The figures of one candidate. */
export interface CandidateResult {
  readonly name: string;
  readonly baseline?: string;
  /** The median round's throughput. */
  readonly throughput: { sent: number; received: number; seconds: number; perSecond: number; lost: number };
  /** Delivered msg/s of every round, in order. */
  readonly rounds: readonly number[];
  /** Median over rounds of (this candidate's rate / its baseline's rate in the same round). */
  readonly ratio?: number;
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

/** One throughput run on a fresh pair: messages sent as fast as the candidate accepts them. */
export async function measureThroughput(
  candidate: BenchCandidate,
  options: { size: number; messages: number },
): Promise<{ throughput: CandidateResult['throughput']; detected?: { gaps: number; missed: number } }> {
  const pair = await candidate.open(options.size);
  try {
    const result = await throughput(pair, options.messages);
    const detected = pair.detected();
    return { throughput: result, ...(detected === undefined ? {} : { detected }) };
  } finally {
    await pair.close();
  }
}

/** One fixed-rate latency run on a fresh pair. */
export async function measureLatency(candidate: BenchCandidate, options: { size: number; rate: number; seconds: number }): Promise<CandidateResult['latency']> {
  const pair = await candidate.open(options.size);
  try {
    return await latency(pair, options.rate, options.seconds);
  } finally {
    await pair.close();
  }
}
