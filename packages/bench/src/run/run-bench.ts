import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '@statbus/core';
import type { BenchOptions } from '../bench-options.js';
import type { BenchReport, FailureRow, InsertManyFigures, LatencyRow, MachineInfo, MeasurementProfile, PipelineRateRow, PipelineRow, SkippedRow, ThroughputRow } from '../report/bench-report.js';
import { latencyFigures, median } from '../stats.js';
import type { CandidateInfo } from '../transport/candidate.js';
import { measureCodecFloor } from '../transport/codec-floor.js';
import { STATBUS_CANDIDATES, TRANSPORT_CANDIDATES, archiveOf } from '../transport/candidates.js';
import type { SendPlan } from '../worker/worker-protocol.js';
import { brokerProblem } from './amqp-names.js';
import { lossFigures, resourceFigures } from './figures.js';
import { measureInsertMany } from './insert-many-baseline.js';
import { runMeasurement, type Measurement, type MeasurementSpec } from './run-measurement.js';
import { selectCandidates } from './select-candidates.js';

/** What a run tells as it goes (the progress bar). */
export interface BenchHooks {
  /** A measurement starts: `index` of `total` (from 1). */
  onStep?(step: { readonly index: number; readonly total: number; readonly label: string }): void;
  /** How far the current measurement is (0..1). */
  onProgress?(fraction: number): void;
}

/** The longest a pipeline run may take to drain and still count as keeping up (ms). */
const KEPT_UP_DRAIN_MS = 1_000;

/** The target for the pipeline: the archive sustains this share of the transport-only rate. */
const TARGET_RATIO = 0.95;

/** The share of the asked rate a producer must achieve for the pipeline to count as keeping up. */
const KEPT_UP_RATE_SHARE = 0.95;

/**
 * One fixed-rate pipeline run: it kept up when the producers achieved the rate, nothing was lost, and
 * the backlog drained within a second.
 */
function pipelineRateRow(rate: number, measurement: Measurement): PipelineRateRow {
  const publishedPerSecond = measurement.publishSeconds > 0 ? measurement.sent / measurement.publishSeconds : 0;
  return {
    rate,
    publishedPerSecond,
    latency: latencyFigures(measurement.samples),
    drainMs: measurement.drainMs,
    keptUp: measurement.lost === 0 && measurement.drainMs <= KEPT_UP_DRAIN_MS && publishedPerSecond >= KEPT_UP_RATE_SHARE * rate,
    ...lossFigures(measurement),
  };
}

/** The store's own insertMany on the pipeline's messages, beside the archiver (a SQLite store only), in a scratch directory. */
async function insertManyBaseline(options: BenchOptions, size: number): Promise<InsertManyFigures | undefined> {
  if (options.store !== undefined && !options.store.startsWith('sqlite:')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'statbus-bench-insert-'));
  try {
    return await measureInsertMany(dir, size, options.topics[0] ?? 1, options.messages);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Task {
  readonly label: string;
  readonly candidate: CandidateInfo;
  run(measure: (spec: Omit<MeasurementSpec, 'amqpUrl' | 'window' | 'prefetch' | 'idleMs' | 'producers' | 'consumers' | 'onProgress'>) => Promise<Measurement>): Promise<void>;
}

function machineInfo(start: readonly number[]): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverage: { start, end: loadavg() },
  };
}

const sizeLabel = (size: number): string => (size % 1024 === 0 ? `${size / 1024} KiB` : `${size} B`);
const ratePlan = (rate: number, options: BenchOptions): SendPlan => ({ kind: 'rate', rate: rate / options.producers, messages: Math.max(1, Math.round((rate / options.producers) * options.duration)) });

/**
 * Runs every measurement `options` asks for, one at a time, each in fresh worker processes, and returns
 * the report. A candidate that needs RabbitMQ when it does not answer is skipped (and listed as such); a
 * measurement that fails is listed with its error and the run goes on. Aborting `signal` ends the
 * measurement under way and skips the rest: the report holds what was measured, and `interrupted`.
 */
export async function runBench(options: BenchOptions, hooks: BenchHooks = {}, signal?: AbortSignal): Promise<BenchReport> {
  const started = new Date();
  const loadStart = loadavg();
  const skipped: SkippedRow[] = [];
  const failures: FailureRow[] = [];
  const transportCandidates = options.modes.includes('transport') ? selectCandidates(TRANSPORT_CANDIDATES, options.only) : [];
  const pipelineCandidates = options.modes.includes('pipeline') ? selectCandidates(STATBUS_CANDIDATES, options.only) : [];
  const problem = [...transportCandidates, ...pipelineCandidates].some((candidate) => candidate.broker) ? await brokerProblem(options.amqpUrl) : undefined;
  const runnable = <T extends CandidateInfo>(candidates: readonly T[], mode: string): T[] =>
    candidates.filter((candidate) => {
      const reason = candidate.broker && problem !== undefined ? `RabbitMQ not reachable at ${redactUrl(options.amqpUrl)}: ${problem}` : candidate.unavailable?.();
      if (reason === undefined) return true;
      skipped.push({ candidate: candidate.id, name: candidate.name, mode, reason });
      return false;
    });
  const transport = runnable(transportCandidates, 'transport');
  const pipeline = runnable(pipelineCandidates, 'pipeline');

  const tasks: Task[] = [];
  const rounds = new Map<string, Measurement[]>();
  const throughputKey = (candidate: string, size: number, topics: number): string => `${candidate}@${size}/${topics}`;
  const topicsLabel = (topics: number): string => (topics === 1 ? 'one topic' : `${topics} topics`);
  const latencyTopics = options.topics[0] ?? 1;
  const latency: LatencyRow[] = [];
  const pipelineRows: PipelineRow[] = [];
  for (const size of options.sizes) {
    for (const topics of options.topics) {
      for (let round = 1; round <= options.rounds; round += 1) {
        for (const candidate of transport) {
          tasks.push({
            label: `${candidate.name} · throughput ${sizeLabel(size)}, ${topicsLabel(topics)} · round ${round}/${options.rounds}`,
            candidate,
            run: async (measure) => {
              const measurement = await measure({ candidate, size, topics, plan: { kind: 'burst', messages: options.messages }, sample: false });
              const key = throughputKey(candidate.id, size, topics);
              rounds.set(key, [...(rounds.get(key) ?? []), measurement]);
            },
          });
        }
      }
    }
    for (const candidate of transport) {
      for (const rate of options.rates) {
        tasks.push({
          label: `${candidate.name} · latency ${sizeLabel(size)} at ${rate} msg/s`,
          candidate,
          run: async (measure) => {
            const measurement = await measure({ candidate, size, topics: latencyTopics, plan: ratePlan(rate, options), sample: true });
            latency.push({
              candidate: candidate.id,
              name: candidate.name,
              size,
              rate,
              publishedPerSecond: measurement.publishSeconds > 0 ? measurement.sent / measurement.publishSeconds : 0,
              latency: latencyFigures(measurement.samples),
              ...lossFigures(measurement),
              ...resourceFigures(measurement),
            });
          },
        });
      }
    }
    for (const candidate of pipeline) {
      const archiving = archiveOf(candidate);
      const only: Measurement[] = [];
      const archived: Measurement[] = [];
      const rates: PipelineRateRow[] = [];
      // Rounds alternate transport-only and archived runs, as the transport mode alternates candidates.
      for (let round = 1; round <= options.rounds; round += 1) {
        tasks.push({
          label: `${candidate.name} · pipeline ${sizeLabel(size)}: transport only · round ${round}/${options.rounds}`,
          candidate,
          run: async (measure) => {
            only.push(await measure({ candidate, size, plan: { kind: 'burst', messages: options.messages }, sample: false, shareQueue: true }));
          },
        });
        tasks.push({
          label: `${candidate.name} · pipeline ${sizeLabel(size)}: archived · round ${round}/${options.rounds}`,
          candidate: archiving,
          run: async (measure) => {
            const measurement = await measure({ candidate: archiving, size, plan: { kind: 'burst', messages: options.messages }, sample: false, shareQueue: true });
            // Only pairs count: a failed transport-only run leaves its archived run out.
            if (only.length === archived.length + 1) archived.push(measurement);
          },
        });
      }
      for (const rate of options.rates) {
        tasks.push({
          label: `${candidate.name} · pipeline ${sizeLabel(size)}: archived at ${rate} msg/s`,
          candidate: archiving,
          run: async (measure) => {
            rates.push(pipelineRateRow(rate, await measure({ candidate: archiving, size, plan: ratePlan(rate, options), sample: true, shareQueue: true })));
          },
        });
      }
      tasks.push({
        label: `${candidate.name} · pipeline ${sizeLabel(size)}: archived at ${TARGET_RATIO}× the transport-only rate`,
        candidate: archiving,
        run: async (measure) => {
          if (only.length === 0) return;
          const rate = Math.max(1, Math.round(TARGET_RATIO * median(only.map((run) => run.perSecond))));
          rates.push({ ...pipelineRateRow(rate, await measure({ candidate: archiving, size, plan: ratePlan(rate, options), sample: true, shareQueue: true })), atTarget: true });
        },
      });
      tasks.push({
        label: `${candidate.name} · pipeline ${sizeLabel(size)}: summary`,
        candidate,
        run: async () => {
          if (archived.length === 0) return;
          const insertMany = await insertManyBaseline(options, size);
          const pairs = archived.map((run, round) => [only[round] as Measurement, run] as const);
          const middle = (runs: readonly Measurement[]): Measurement => [...runs].sort((x, y) => x.perSecond - y.perSecond)[Math.floor((runs.length - 1) / 2)] as Measurement;
          const onlyMiddle = middle(pairs.map(([first]) => first));
          const archivedMiddle = middle(archived);
          const kept = rates.filter((row) => row.keptUp).map((row) => row.rate);
          pipelineRows.push({
            candidate: candidate.id,
            name: candidate.name,
            size,
            store: options.store === undefined ? 'sqlite (a fresh file in a temporary directory)' : redactUrl(options.store),
            transportOnly: { perSecond: onlyMiddle.perSecond, rounds: pairs.map(([first]) => first.perSecond), ...lossFigures(onlyMiddle), ...resourceFigures(onlyMiddle) },
            archived: {
              perSecond: archivedMiddle.perSecond,
              rounds: archived.map((run) => run.perSecond),
              publishedPerSecond: archivedMiddle.publishSeconds > 0 ? archivedMiddle.sent / archivedMiddle.publishSeconds : 0,
              drainMs: archivedMiddle.drainMs,
              ...lossFigures(archivedMiddle),
              ...resourceFigures(archivedMiddle),
            },
            ratio: median(pairs.map(([first, second]) => (first.perSecond > 0 ? second.perSecond / first.perSecond : Number.NaN))),
            rates,
            ...(insertMany === undefined ? {} : { insertMany }),
            ...(kept.length === 0 ? {} : { sustainedRate: Math.max(...kept) }),
          });
        },
      });
    }
  }

  const measured = tasks.filter((task) => !task.label.endsWith(': summary'));
  const profiles: MeasurementProfile[] = [];
  if (options.profile !== undefined) mkdirSync(options.profile, { recursive: true });
  let index = 0;
  for (const task of tasks) {
    if (signal?.aborted === true && !task.label.endsWith(': summary')) continue;
    if (!task.label.endsWith(': summary')) {
      index += 1;
      hooks.onStep?.({ index, total: measured.length, label: task.label });
    }
    const scratch = mkdtempSync(join(tmpdir(), 'statbus-bench-'));
    try {
      await task.run(async (spec) => {
        const measurement = await runMeasurement({
          ...spec,
          producers: options.producers,
          consumers: options.consumers,
          amqpUrl: options.amqpUrl,
          window: options.window,
          prefetch: options.prefetch,
          idleMs: options.idleMs,
          store: options.store ?? `sqlite:${join(scratch, 'archive.db')}`,
          onProgress: (fraction) => hooks.onProgress?.(fraction),
          ...(signal === undefined ? {} : { signal }),
          ...(options.profile === undefined ? {} : { profileDir: options.profile }),
        });
        if (measurement.profiles !== undefined) profiles.push({ what: task.label, threads: measurement.profiles });
        return measurement;
      });
    } catch (error) {
      failures.push({ candidate: task.candidate.id, name: task.candidate.name, what: task.label, error: error instanceof Error ? error.message : String(error) });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  const throughput: ThroughputRow[] = [];
  for (const size of options.sizes) {
    for (const topics of options.topics) {
    for (const candidate of transport) {
      const runs = rounds.get(throughputKey(candidate.id, size, topics)) ?? [];
      if (runs.length === 0) continue;
      const rates = runs.map((run) => run.perSecond);
      const middle = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((runs.length - 1) / 2)] as Measurement;
      const baseline = candidate.baseline === undefined ? undefined : rounds.get(throughputKey(candidate.baseline, size, topics));
      const ratios = baseline === undefined ? [] : rates.flatMap((rate, round) => (baseline[round] === undefined ? [] : [rate / baseline[round].perSecond]));
      throughput.push({
        candidate: candidate.id,
        name: candidate.name,
        ...(candidate.baseline === undefined ? {} : { baseline: candidate.baseline }),
        size,
        topics,
        perSecond: middle.perSecond,
        rounds: rates,
        ...(ratios.length === 0 ? {} : { ratio: median(ratios) }),
        ...lossFigures(middle),
        ...resourceFigures(middle),
      });
    }
    }
  }
  // Measured after every worker has exited, so that nothing else of the run competes with it.
  const codec = throughput.some((row) => row.candidate.startsWith('statbus-') && row.baseline !== undefined) ? options.sizes.map(measureCodecFloor) : [];
  return {
    version: 1,
    date: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine: machineInfo(loadStart),
    options: { ...options, amqpUrl: redactUrl(options.amqpUrl), ...(options.store === undefined ? {} : { store: redactUrl(options.store) }) },
    throughput,
    latency,
    pipeline: pipelineRows,
    ...(codec.length === 0 ? {} : { codec }),
    ...(profiles.length === 0 ? {} : { profiles }),
    skipped,
    failures,
    ...(signal?.aborted === true ? { interrupted: true } : {}),
  };
}
