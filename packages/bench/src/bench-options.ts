/** The bench's usual topic mix: how many topics the measured messages rotate over. */
export const BENCH_TOPIC_MIX = 8;

/** The modes of `statbus bench`. */
export type BenchMode = 'transport' | 'pipeline';

/** Every mode, in the order they run. */
export const BENCH_MODES: readonly BenchMode[] = ['transport', 'pipeline'];

/** What one benchmark run measures, and how. */
export interface BenchOptions {
  readonly modes: readonly BenchMode[];
  /** Only candidates whose id or name contains one of these (case-insensitive); every candidate when empty. */
  readonly only: readonly string[];
  /** Message sizes (bytes); every figure is measured at each. */
  readonly sizes: readonly number[];
  /**
   * Topic mixes of the throughput runs: the measured messages rotate over this many topics (one subscription
   * takes them all). The first is also the mix of the latency runs; the pipeline uses one topic.
   */
  readonly topics: readonly number[];
  /** Fixed total rates (msg/s) of the latency runs. */
  readonly rates: readonly number[];
  /** Messages each producer sends in a throughput run. */
  readonly messages: number;
  /** Length of each fixed-rate run (s). */
  readonly duration: number;
  /** Throughput rounds; candidates alternate within a round, the median round is reported. */
  readonly rounds: number;
  readonly producers: number;
  readonly consumers: number;
  /** Publishes in flight per producer (AMQP confirm window; unsettled statbus promises). */
  readonly window: number;
  /** Deliveries handed out and not yet settled per consumer (transport mode). */
  readonly prefetch: number;
  readonly amqpUrl: string;
  /** The pipeline's store; default a fresh SQLite file in a temporary directory per measurement. */
  readonly store?: string;
  /** How long a measurement waits for stragglers once nothing arrives any more (ms). */
  readonly idleMs: number;
  /**
   * A directory: every process of every measurement runs under `--cpu-prof` and writes its threads' profiles
   * there, and the report says where each thread spent its time. Profiling slows the processes down a little.
   */
  readonly profile?: string;
}

/** The defaults of `statbus bench` (a few minutes on a two-core machine). */
export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  modes: BENCH_MODES,
  only: [],
  sizes: [1024],
  topics: [BENCH_TOPIC_MIX, 1],
  rates: [1_000, 5_000],
  messages: 50_000,
  duration: 5,
  rounds: 3,
  producers: 1,
  consumers: 1,
  window: 1_000,
  prefetch: 100,
  amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/%2F',
  idleMs: 5_000,
};

/** What `--quick` changes: a smoke of every mode and candidate in seconds, not a measurement. */
export const QUICK_BENCH_OPTIONS: Partial<BenchOptions> = {
  messages: 2_000,
  rates: [500],
  topics: [BENCH_TOPIC_MIX],
  duration: 0.5,
  rounds: 1,
  idleMs: 1_000,
};
