import { setTimeout as delay } from 'node:timers/promises';
import { now } from '../clock.js';
import type { ConsumerSide, ProcessLocal, ProducerSide } from '../transport/candidate.js';
import { loadCandidate } from '../transport/load-candidate.js';
import { mainThreadCpuMs } from '../proc-cpu.js';
import type { FromWorker, ProcessUsage, SendPlan, ToWorker } from './worker-protocol.js';

// A benchmark worker: forked by the coordinator, it hosts one or more sides (a producer, a consumer, or
// both for candidates that cannot cross processes) and reports what it measured over IPC.

const PROBE_INTERVAL_MS = 2;
const TRAILING_PROBE_INTERVAL_MS = 20;
const PROGRESS_INTERVAL_MS = 100;

function post(message: FromWorker): void {
  process.send?.(message);
}

/** Where a measurement's CPU time starts: the whole process's and its main thread's. */
interface CpuStart {
  readonly process: NodeJS.CpuUsage;
  readonly mainThreadMs: number | undefined;
}

function cpuNow(): CpuStart {
  return { process: process.cpuUsage(), mainThreadMs: mainThreadCpuMs() };
}

function usageSince(start: CpuStart): ProcessUsage {
  const cpu = process.cpuUsage(start.process);
  const mainThread = mainThreadCpuMs();
  return {
    pid: process.pid,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...(mainThread === undefined || start.mainThreadMs === undefined ? {} : { mainThreadCpuMs: mainThread - start.mainThreadMs }),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

class ProducerHost {
  private probing: Promise<void> | undefined;
  private stopProbing = false;
  private sent = 0;
  private reported = -1;

  constructor(
    readonly name: string,
    private readonly side: ProducerSide,
  ) {}

  probe(): void {
    this.stopProbing = false;
    this.probing = this.probeLoop(PROBE_INTERVAL_MS, () => this.side.probe());
  }

  async run(plan: SendPlan): Promise<void> {
    this.stopProbing = true;
    await this.probing;
    const cpu = cpuNow();
    const startedAt = now();
    if (plan.kind === 'burst') {
      for (let index = 0; index < plan.messages; index += 1) {
        await this.side.send(0);
        this.sent += 1;
      }
    } else {
      const interval = 1000 / plan.rate;
      for (let index = 0; index < plan.messages; index += 1) {
        const wait = startedAt + index * interval - now();
        if (wait > 1) await delay(wait);
        await this.side.send(now());
        this.sent += 1;
      }
    }
    await this.side.flush();
    const endedAt = now();
    post({ type: 'sent', side: this.name, sent: this.sent, startedAt, endedAt, usage: usageSince(cpu) });
    // Trailers after the measured messages: a loss at the very end shows as a sequence gap too.
    this.stopProbing = false;
    this.probing = this.probeLoop(TRAILING_PROBE_INTERVAL_MS, () => this.side.trail());
  }

  progress(): void {
    if (this.sent === this.reported) return;
    this.reported = this.sent;
    post({ type: 'progress', side: this.name, count: this.sent });
  }

  async close(): Promise<void> {
    this.stopProbing = true;
    await this.probing;
    await this.side.close();
  }

  private async probeLoop(interval: number, send: () => Promise<void>): Promise<void> {
    while (!this.stopProbing) {
      await send().catch(() => undefined);
      await delay(interval);
    }
  }
}

class ConsumerHost {
  side: ConsumerSide | undefined;
  private readonly probedBy = new Set<string>();
  private measuring = false;
  private sampling = false;
  private expected = Number.POSITIVE_INFINITY;
  private received = 0;
  private reported = -1;
  private postedAt = 0;
  private lastAt = 0;
  private samples: number[] = [];
  private cpu: CpuStart = cpuNow();

  constructor(readonly name: string) {}

  readonly listener = {
    message: (stamp: number): void => {
      if (!this.measuring) return;
      this.lastAt = now();
      this.received += 1;
      if (this.sampling) this.samples.push(this.lastAt - stamp);
      // Also from here, not only from the ticker: a consumer working through a backlog in microtasks (the in-memory
      // transport) starves timers, and a coordinator hearing nothing for `idleMs` would stop waiting too early.
      if (this.received === this.expected || this.lastAt - this.postedAt >= PROGRESS_INTERVAL_MS) this.progress();
    },
    probe: (producer: string): void => {
      if (this.probedBy.has(producer)) return;
      this.probedBy.add(producer);
      post({ type: 'probed', side: this.name, producer });
    },
  };

  measure(sample: boolean, expected: number): void {
    this.cpu = cpuNow();
    this.sampling = sample;
    this.expected = expected;
    this.measuring = true;
    post({ type: 'measuring', side: this.name });
  }

  progress(): void {
    if (this.received === this.reported) return;
    this.reported = this.received;
    this.postedAt = now();
    post({ type: 'progress', side: this.name, count: this.received });
  }

  report(): void {
    this.measuring = false;
    const detected = this.side?.detected();
    post({
      type: 'received',
      side: this.name,
      received: this.received,
      lastAt: this.lastAt,
      samples: this.samples,
      ...(detected === undefined ? {} : { detected }),
      usage: usageSince(this.cpu),
    });
  }
}

const local: ProcessLocal = new Map();
const producers = new Map<string, ProducerHost>();
const consumers = new Map<string, ConsumerHost>();

const ticker = setInterval(() => {
  for (const host of [...producers.values(), ...consumers.values()]) host.progress();
}, PROGRESS_INTERVAL_MS);

async function close(): Promise<void> {
  clearInterval(ticker);
  await Promise.allSettled([...producers.values()].map((host) => host.close()));
  await Promise.allSettled([...consumers.values()].map((host) => host.side?.close() ?? Promise.resolve()));
  process.exit(0);
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open': {
      const candidate = await loadCandidate(message.candidate);
      if (message.role === 'consumer') {
        const host = new ConsumerHost(message.side);
        consumers.set(message.side, host);
        host.side = await candidate.consumer(message.settings, host.listener, local);
      } else {
        producers.set(message.side, new ProducerHost(message.side, await candidate.producer(message.settings, local)));
      }
      post({ type: 'opened', side: message.side });
      return;
    }
    case 'probe':
      return producers.get(message.side)?.probe();
    case 'measure':
      return consumers.get(message.side)?.measure(message.sample, message.expected);
    case 'run':
      return producers.get(message.side)?.run(message.plan);
    case 'report':
      return consumers.get(message.side)?.report();
    case 'close':
      return close();
  }
}

/** An error's message followed by its causes' (`ZeroMQ subscription failed: <why>`), so that the report says why. */
function withCauses(error: unknown): string {
  const messages: string[] = [];
  for (let at: unknown = error, depth = 0; at !== undefined && depth < 5; at = at instanceof Error ? at.cause : undefined, depth += 1) {
    messages.push(at instanceof Error ? at.message : JSON.stringify(at));
  }
  return messages.join(': ');
}

process.on('message', (message: ToWorker) => {
  handle(message).catch((error: unknown) => {
    post({ type: 'failed', ...('side' in message ? { side: message.side } : {}), message: withCauses(error) });
  });
});
// The coordinator is gone (it failed or was interrupted): nothing to report to.
process.on('disconnect', () => process.exit(1));
