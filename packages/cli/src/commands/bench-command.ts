import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DEFAULT_BENCH_OPTIONS,
  QUICK_BENCH_OPTIONS,
  STATBUS_CANDIDATES,
  StatusLine,
  TRANSPORT_CANDIDATES,
  benchFlags,
  formatReport,
  renderHtml,
  runBench,
  type BenchMode,
  type BenchOptions,
} from '@statbus/bench';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { loadCliConfig } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';

interface BenchFlags {
  readonly config?: string;
  readonly mode?: BenchMode[];
  readonly only?: string[];
  readonly transport?: string[];
  readonly size?: number[];
  readonly topics?: number[];
  readonly rate?: number[];
  readonly duration?: number;
  /** The old name of `--duration` (`npm run bench:transport -- --seconds 5`). */
  readonly seconds?: number;
  readonly messages?: number;
  readonly rounds?: number;
  readonly producers?: number;
  readonly consumers?: number;
  readonly window?: number;
  readonly prefetch?: number;
  readonly amqpUrl?: string;
  readonly store?: string;
  readonly profile?: string;
  readonly quick?: boolean;
  readonly json?: string;
  readonly html?: string;
  readonly progress: boolean;
}

/** A commander parser from a bench flag parser: a bad value is a usage error (exit 2) naming the flag. */
function flag<T>(name: string, parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(`${name}: ${(error as Error).message}`);
    }
  };
}

const BENCH_TRANSPORTS = ['zeromq', 'amqp', 'memory'];

/** `--transport zeromq,amqp`: the transports named, each one known. */
function parseTransports(value: string): string[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !BENCH_TRANSPORTS.includes(kind));
  if (unknown.length > 0 || kinds.length === 0) throw new Error(`expected ${BENCH_TRANSPORTS.join(', ')} (comma-separated), got ${JSON.stringify(value)}`);
  return kinds;
}

/** The options of this run: the defaults, then `--quick`'s, then the flags given. */
function benchOptions(flags: BenchFlags, amqpUrl: string, cwd: string): BenchOptions {
  const given: Partial<BenchOptions> = {
    ...(flags.mode === undefined ? {} : { modes: flags.mode }),
    ...(flags.only === undefined ? {} : { only: flags.only }),
    // A transport's candidates are those whose id names it: statbus-amqp and raw-amqp, the pipeline's over it.
    ...(flags.transport === undefined ? {} : { only: flags.transport }),
    ...(flags.size === undefined ? {} : { sizes: flags.size }),
    ...(flags.topics === undefined ? {} : { topics: flags.topics }),
    ...(flags.rate === undefined ? {} : { rates: flags.rate }),
    ...(flags.seconds === undefined ? {} : { duration: flags.seconds }),
    ...(flags.duration === undefined ? {} : { duration: flags.duration }),
    ...(flags.messages === undefined ? {} : { messages: flags.messages }),
    ...(flags.rounds === undefined ? {} : { rounds: flags.rounds }),
    ...(flags.producers === undefined ? {} : { producers: flags.producers }),
    ...(flags.consumers === undefined ? {} : { consumers: flags.consumers }),
    ...(flags.window === undefined ? {} : { window: flags.window }),
    ...(flags.prefetch === undefined ? {} : { prefetch: flags.prefetch }),
    ...(flags.store === undefined ? {} : { store: flags.store }),
    ...(flags.profile === undefined ? {} : { profile: resolve(cwd, flags.profile) }),
  };
  return { ...DEFAULT_BENCH_OPTIONS, ...(flags.quick === true ? QUICK_BENCH_OPTIONS : {}), ...given, amqpUrl };
}

/** Fails with a usage error when `--only` names nothing that would run. */
function checkOnly(options: BenchOptions): void {
  const candidates = [...(options.modes.includes('transport') ? TRANSPORT_CANDIDATES : []), ...(options.modes.includes('pipeline') ? STATBUS_CANDIDATES : [])];
  for (const text of options.only) {
    const wanted = text.toLowerCase();
    if (!candidates.some((candidate) => candidate.id.includes(wanted) || candidate.name.toLowerCase().includes(wanted))) {
      throw new CliError(`--only ${JSON.stringify(text)} matches no candidate of ${options.modes.join(' and ')} mode (ids: ${[...new Set(candidates.map((candidate) => candidate.id))].join(', ')})`, { exitCode: 2 });
    }
  }
}

/**
 * `statbus bench`: the same workload over statbus ZeroMQ, AMQP and in-memory and over the raw libraries
 * (zeromq.js, amqplib) in one run, each producer and consumer its own process; then the archive pipeline.
 * Prints tables on stdout; `--json` and `--html` write the report. Exits 1 when a measurement failed; on
 * SIGINT/SIGTERM it stops the measurement under way, cleans up, writes what it measured and exits 130.
 */
export function benchCommand(io: CliIo): Command {
  return new Command('bench')
    .description('benchmark statbus over ZeroMQ, AMQP and in-memory beside raw zeromq.js and amqplib, and the archive pipeline')
    .option('--quick', 'a smoke run of every mode and candidate in seconds (2,000 messages, 0.5 s at 500 msg/s, one round)')
    .option('--mode <modes>', 'transport, pipeline or all, comma-separated (default: all)', flag('--mode', benchFlags.modes))
    .option('-t, --transport <kinds>', 'only the candidates of these transports, each beside its raw library: zeromq, amqp, memory, comma-separated', flag('--transport', parseTransports))
    .option('--only <candidates>', 'only candidates whose id or name contains one of these, comma-separated (raw, statbus, zeromq, amqp, memory…)', flag('--only', benchFlags.texts))
    .option('--size <sizes>', 'message sizes, comma-separated: 256, 1KiB, 16k… (default: 1KiB)', flag('--size', benchFlags.sizes))
    .option('--topics <counts>', 'topic mixes of the throughput runs: how many topics the messages rotate over, comma-separated; the first is also used for latency (default: 8,1)', flag('--topics', benchFlags.topics))
    .option('--rate <rates>', 'total rates of the fixed-rate (latency) runs in msg/s, comma-separated (default: 1000,5000)', flag('--rate', benchFlags.rates))
    .option('--duration <seconds>', 'length of each fixed-rate run (default: 5)', flag('--duration', benchFlags.positive))
    .addOption(new Option('--seconds <seconds>', 'the old name of --duration').argParser(flag('--seconds', benchFlags.positive)).hideHelp())
    .option('--messages <n>', 'messages each producer sends in a throughput run (default: 50000)', flag('--messages', benchFlags.count()))
    .option('--rounds <n>', 'throughput rounds, candidates alternating; the median is reported (default: 3)', flag('--rounds', benchFlags.count()))
    .option('--producers <n>', 'producer processes (default: 1)', flag('--producers', benchFlags.count()))
    .option('--consumers <n>', 'consumer processes; each gets every message, bar the pipeline’s shared queue (default: 1)', flag('--consumers', benchFlags.count()))
    .option('--window <n>', 'publishes in flight per producer: confirm window / unsettled promises (default: 1000)', flag('--window', benchFlags.count()))
    .option('--prefetch <n>', 'unsettled deliveries per consumer (default: 100)', flag('--prefetch', benchFlags.count()))
    .option('--amqp-url <url>', 'RabbitMQ for the AMQP candidates (default: [amqp] url of the config)')
    .option('--store <url>', 'the pipeline’s store: sqlite:<path> or mongodb://… (default: a fresh SQLite file in a temporary directory)')
    .option('-c, --config <file>', 'TOML config file to take [amqp] url from (default: $STATBUS_CONFIG, else ./statbus.toml when it exists)')
    .option('--profile <dir>', 'run every process under --cpu-prof, writing its profiles into this directory, and report where each thread spent its time')
    .option('--json <file>', 'write the report as JSON')
    .option('--html <file>', 'write the report as one self-contained HTML page with charts')
    .option('--no-progress', 'no progress bar (it is drawn only when stderr is a terminal)')
    .action(async (flags: BenchFlags) => {
      const amqpUrl = flags.amqpUrl ?? loadCliConfig(flags.config === undefined ? {} : { config: flags.config }, io).config.amqp.url;
      if (flags.transport !== undefined && flags.only !== undefined) throw new CliError('give --transport or --only, not both', { exitCode: 2 });
      const options = benchOptions(flags, amqpUrl, io.cwd);
      if (options.store !== undefined && !/^(sqlite:.+|mongodb(\+srv)?:\/\/.+)$/u.test(options.store)) {
        throw new CliError(`--store ${JSON.stringify(options.store)}: expected sqlite:<path> or a mongodb:// URL`, { exitCode: 2 });
      }
      checkOnly(options);
      const status = new StatusLine(flags.progress ? io.stderr : { write: () => true });
      const interrupted = new AbortController();
      const shutdown = shutdownSignal(io);
      void shutdown.received.then((reason) => reason === 'stopped' || interrupted.abort());
      let report;
      try {
        report = await runBench(options, { onStep: (step) => status.start(step), onProgress: (fraction) => status.progress(fraction) }, interrupted.signal);
      } finally {
        status.done();
        shutdown.stop();
      }
      io.stdout.write(formatReport(report));
      if (flags.json !== undefined) {
        const path = resolve(io.cwd, flags.json);
        writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
        io.stderr.write(`statbus bench: wrote ${path}\n`);
      }
      if (flags.html !== undefined) {
        const path = resolve(io.cwd, flags.html);
        writeFileSync(path, renderHtml(report));
        io.stderr.write(`statbus bench: wrote ${path}\n`);
      }
      if (report.interrupted === true) throw new CliError('interrupted: the figures above are those measured before the signal', { exitCode: 130 });
      if (report.failures.length > 0) throw new CliError(`${report.failures.length} measurement(s) failed (see above)`);
    });
}
