import type { BenchOptions } from '../bench-options.js';
import type { ThreadProfile } from './cpu-profile.js';
import type { DetectedLoss } from '../transport/candidate.js';
import type { MeasuredProcess } from '../run/run-measurement.js';
import type { LatencySummary } from '../stats.js';
import type { CodecFloorRow } from '../transport/codec-floor.js';

/** Where the report was made. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** `os.loadavg()` (1, 5, 15 min) when the run started and when it ended. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
}

/** CPU time per message and peak memory of the producer and consumer processes of a measurement. */
export interface ResourceFigures {
  /** CPU time per message sent (µs), summed over producer processes. */
  readonly producerCpuUsPerMessage: number;
  /** CPU time per message received (µs), summed over consumer processes. */
  readonly consumerCpuUsPerMessage: number;
  /** The same, of the consumer processes' main threads alone (Linux): without the store's index worker thread. */
  readonly consumerMainThreadCpuUsPerMessage?: number;
  /** CPU time per message sent (µs) of the RabbitMQ broker, when it runs on this machine (its Erlang VM, from `/proc`). */
  readonly brokerCpuUsPerMessage?: number;
  /** Largest peak RSS (MiB) among producer processes. */
  readonly producerMaxRssMiB: number;
  /** Largest peak RSS (MiB) among consumer processes. */
  readonly consumerMaxRssMiB: number;
  /** Every process (a single-process candidate has one, `producer+consumer`). */
  readonly processes: readonly MeasuredProcess[];
}

/** Loss in one measurement. */
export interface LossFigures {
  readonly sent: number;
  readonly expected: number;
  readonly received: number;
  readonly lost: number;
  /** What the candidate itself reported lost: sequence gaps and drops (statbus only; raw libraries cannot tell). */
  readonly detected?: DetectedLoss;
}

/** Latency percentiles (ms) plus the curve drawn in the HTML report. */
export interface LatencyFigures extends LatencySummary {
  /** `[percentile, ms]` pairs from p0 to p100. */
  readonly curve: readonly (readonly [number, number])[];
}

/** Throughput of one candidate at one size. */
export interface ThroughputRow extends LossFigures, ResourceFigures {
  readonly candidate: string;
  readonly name: string;
  readonly baseline?: string;
  readonly size: number;
  /** Topics the messages rotated over (1: one topic alone; absent in reports made before topic mixes: one). */
  readonly topics?: number;
  /** Delivered messages a second of the median round (first send → last receipt). */
  readonly perSecond: number;
  /** Delivered msg/s of each round, in order. */
  readonly rounds: readonly number[];
  /** Median over rounds of this candidate's rate / its raw library's rate in the same round. */
  readonly ratio?: number;
}

/** One fixed-rate run of one candidate: latency from send to receipt. */
export interface LatencyRow extends LossFigures, ResourceFigures {
  readonly candidate: string;
  readonly name: string;
  readonly size: number;
  /** The total rate asked for (msg/s). */
  readonly rate: number;
  /** The rate achieved by the producers (msg/s). */
  readonly publishedPerSecond: number;
  readonly latency: LatencyFigures;
}

/** One fixed-rate run of the pipeline: latency from publish to archived. */
export interface PipelineRateRow extends LossFigures {
  readonly rate: number;
  readonly publishedPerSecond: number;
  readonly latency: LatencyFigures;
  /** From the last publish to the last message archived (ms). */
  readonly drainMs: number;
  /**
   * The archive kept up: the producers achieved 95 % of the rate, everything was archived, and the backlog
   * drained within a second. (Over ZeroMQ a loss is also reported as a gap; it still did not keep up.)
   */
  readonly keptUp: boolean;
  /** This run's rate is 0.95× the transport-only rate: the target for the pipeline. */
  readonly atTarget?: true;
}

/** The pipeline of one statbus transport at one size: producer → transport → archiver → store. */
export interface PipelineRow {
  readonly candidate: string;
  readonly name: string;
  readonly size: number;
  readonly store: string;
  /**
   * The same producer and queue with a consumer that acks on receipt: the transport-only rate (msg/s) of the
   * median round, each round's rate, and the figures of the median round.
   */
  readonly transportOnly: { readonly perSecond: number; readonly rounds: readonly number[] } & LossFigures & ResourceFigures;
  /** As fast as the producer publishes, through the archiver: archived msg/s of the median round, and each round's. */
  readonly archived: { readonly perSecond: number; readonly rounds: readonly number[]; readonly publishedPerSecond: number; readonly drainMs: number } & LossFigures & ResourceFigures;
  /** The median over rounds of archived / transport-only in the same round. */
  readonly ratio: number;
  readonly rates: readonly PipelineRateRow[];
  /** The store's own `insertMany` of the same messages in the same run, for the archiver's CPU to be read beside (SQLite stores). */
  readonly insertMany?: InsertManyFigures;
  /** The highest fixed rate the archive kept up with (the `--rate` runs and the 0.95× transport-only run), if any. */
  readonly sustainedRate?: number;
}

/** The store's `insertMany` alone on the pipeline's messages (see `measureInsertMany`). */
export interface InsertManyFigures {
  readonly messages: number;
  readonly batch: number;
  readonly perSecond: number;
  /** CPU µs a message of the thread calling `insertMany` (Linux). */
  readonly callingThreadCpuUsPerMessage?: number;
  /** CPU µs a message of the whole process until the deferred indexes were complete: the index worker included. */
  readonly processCpuUsPerMessage: number;
}

/** A candidate that did not run, and why. */
export interface SkippedRow {
  readonly candidate: string;
  readonly name: string;
  readonly mode: string;
  readonly reason: string;
}

/** A measurement that failed. */
export interface FailureRow {
  readonly candidate: string;
  readonly name: string;
  readonly what: string;
  readonly error: string;
}

/** The profiles of one measurement's processes (`statbus bench --profile`). */
export interface MeasurementProfile {
  /** The measurement, as the progress bar names it. */
  readonly what: string;
  readonly threads: readonly ThreadProfile[];
}

/** Everything `statbus bench` measured: what `--json` writes (version 1). */
export interface BenchReport {
  readonly version: 1;
  /** ISO 8601 start of the run. */
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly options: Omit<BenchOptions, 'amqpUrl'> & { readonly amqpUrl: string };
  readonly throughput: readonly ThroughputRow[];
  readonly latency: readonly LatencyRow[];
  readonly pipeline: readonly PipelineRow[];
  /** The envelope codec alone at each size, when a statbus candidate's throughput was measured (absent in older reports). */
  readonly codec?: readonly CodecFloorRow[];
  /** Where each process's threads spent their time, per measurement, when the run was profiled (`--profile`). */
  readonly profiles?: readonly MeasurementProfile[];
  readonly skipped: readonly SkippedRow[];
  readonly failures: readonly FailureRow[];
  /** Present when the run was interrupted (SIGINT/SIGTERM): the figures are those measured until then. */
  readonly interrupted?: true;
}
