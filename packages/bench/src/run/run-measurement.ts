import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { summariseProcessProfiles, type ThreadProfile } from '../report/cpu-profile.js';
import type { CandidateInfo, DetectedLoss, SideSettings } from '../transport/candidate.js';
import type { FromWorker, ProcessUsage, SendPlan } from '../worker/worker-protocol.js';
import { deleteAmqpNames } from './amqp-names.js';
import { freePort } from './free-port.js';
import { findLocalBroker } from './local-broker.js';
import { WorkerProcess } from './worker-process.js';

const OPEN_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 15_000;
const REPORT_TIMEOUT_MS = 30_000;

/** One measurement: a candidate, its processes, and what each producer sends. */
export interface MeasurementSpec {
  readonly candidate: CandidateInfo;
  readonly size: number;
  /** Topics the measured messages rotate over (default 1). */
  readonly topics?: number;
  readonly producers: number;
  readonly consumers: number;
  /** What each producer sends. */
  readonly plan: SendPlan;
  /** Keep every message's latency (fixed-rate runs). */
  readonly sample: boolean;
  readonly amqpUrl: string;
  readonly window: number;
  readonly prefetch: number;
  /** Consume from one named, durable queue (competing consumers where the candidate has them); without it each consumer gets every message. */
  readonly shareQueue?: boolean;
  /** Pipeline: the archiver's store. */
  readonly store?: string;
  /** How long to wait for stragglers once nothing arrives any more. */
  readonly idleMs: number;
  readonly onProgress?: (fraction: number) => void;
  /** Aborting it ends the measurement at once (its workers are closed, its broker names deleted). */
  readonly signal?: AbortSignal;
  /** Profile each process (`--cpu-prof`) into a directory of its own under this one, and summarise its threads. */
  readonly profileDir?: string;
}

/** A process of a measurement and what it used. */
export interface MeasuredProcess extends ProcessUsage {
  readonly role: 'producer' | 'consumer' | 'producer+consumer';
}

/** What one measurement found. */
export interface Measurement {
  readonly sent: number;
  /** Deliveries expected: every message to every consumer, or each message once over a shared queue. */
  readonly expected: number;
  readonly received: number;
  readonly lost: number;
  /** From the first send to the last receipt (s). */
  readonly seconds: number;
  /** Deliveries a second over `seconds`. */
  readonly perSecond: number;
  /** From the first send to the last publish accepted (s). */
  readonly publishSeconds: number;
  /** From the last publish accepted to the last receipt (ms): how long the backlog took to drain. */
  readonly drainMs: number;
  /** Latency of each delivery (ms), when sampled. */
  readonly samples: readonly number[];
  /** Loss the candidate itself reported, summed over consumers. */
  readonly detected?: DetectedLoss;
  readonly processes: readonly MeasuredProcess[];
  /**
   * CPU time (ms) the RabbitMQ broker used from the first send to the consumers' reports, when the candidate needs
   * the broker and it runs on this machine (`findLocalBroker`).
   */
  readonly brokerCpuMs?: number;
  /** Each thread of each process, with `profileDir`. */
  readonly profiles?: readonly ThreadProfile[];
}

type Typed<K extends FromWorker['type']> = Extract<FromWorker, { type: K }>;
const is =
  <K extends FromWorker['type']>(type: K, side: string) =>
  (message: FromWorker): message is Typed<K> =>
    message.type === type && 'side' in message && message.side === side;

/** Resolves with `promise`; rejects after `timeoutMs`, or as soon as one of `workers` fails or exits. */
async function within(promise: Promise<void>, timeoutMs: number, message: string, workers: readonly WorkerProcess[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), timeoutMs))),
      ...workers.map((worker) => worker.failure),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one measurement in fresh worker processes, and cleans up whatever it declared on the broker. */
export async function runMeasurement(spec: MeasurementSpec): Promise<Measurement> {
  const exchange = `statbus.bench.${randomUUID()}`;
  const queue = spec.shareQueue === true ? `${exchange}.queue` : undefined;
  const endpoints = await Promise.all(Array.from({ length: spec.producers }, async () => `tcp://127.0.0.1:${await freePort()}`));
  const settings = (index: number): SideSettings => ({
    size: spec.size,
    topics: spec.topics ?? 1,
    index,
    producers: spec.producers,
    endpoints,
    amqpUrl: spec.amqpUrl,
    exchange,
    window: spec.window,
    prefetch: spec.prefetch,
    ...(queue === undefined ? {} : { queue }),
    ...(spec.store === undefined ? {} : { store: spec.store }),
  });
  const consumerSides = Array.from({ length: spec.consumers }, (_, index) => `c${index}`);
  const producerSides = Array.from({ length: spec.producers }, (_, index) => `p${index}`);
  const profiled = spec.profileDir === undefined ? undefined : mkdtempSync(join(spec.profileDir, 'measurement-'));
  const processDirs = new Map<WorkerProcess, { readonly dir: string; readonly name: string }>();
  const start = (label: string, name: string): WorkerProcess => {
    const dir = profiled === undefined ? undefined : join(profiled, name.replace(/[^\w-]+/gu, '-'));
    const spawned = new WorkerProcess(label, dir);
    if (dir !== undefined) processDirs.set(spawned, { dir, name });
    return spawned;
  };
  const single = spec.candidate.layout === 'single' ? start(spec.candidate.name, 'producer+consumer') : undefined;
  const workers = new Map<string, WorkerProcess>();
  for (const side of [...consumerSides, ...producerSides]) workers.set(side, single ?? start(`${spec.candidate.name} ${side}`, `${side.startsWith('c') ? 'consumer' : 'producer'} ${side}`));
  const worker = (side: string): WorkerProcess => workers.get(side) as WorkerProcess;
  const sent = spec.plan.messages * spec.producers;
  const competing = queue !== undefined && spec.candidate.sharedQueues;
  const expected = competing ? sent : sent * spec.consumers;
  const counts = new Map<string, number>();
  const probes = new Map<string, Set<string>>(consumerSides.map((side) => [side, new Set<string>()]));
  let probed: () => void = () => undefined;
  const allProbed = new Promise<void>((resolve) => (probed = resolve));
  for (const process of new Set(workers.values())) {
    process.onMessage((message) => {
      if (message.type === 'progress' && message.side.startsWith('c')) counts.set(message.side, message.count);
      if (message.type !== 'probed') return;
      probes.get(message.side)?.add(message.producer);
      // Competing consumers share the probes; otherwise each consumer must have heard every producer.
      const heard = competing ? [new Set([...probes.values()].flatMap((set) => [...set]))] : [...probes.values()];
      if (heard.every((set) => set.size >= spec.producers)) probed();
    });
  }
  const received = (): number => [...counts.values()].reduce((sum, count) => sum + count, 0);
  const interrupt = (): void => {
    for (const process of new Set(workers.values())) process.interrupt(new Error('interrupted'));
  };
  spec.signal?.addEventListener('abort', interrupt, { once: true });
  if (spec.signal?.aborted === true) interrupt();
  const progress = setInterval(() => spec.onProgress?.(Math.min(1, received() / expected)), 100);
  let closing: Promise<unknown> | undefined;
  const closeAll = (): Promise<unknown> => (closing ??= Promise.all([...new Set(workers.values())].map((process) => process.close())));
  try {
    const open = (side: string, role: 'producer' | 'consumer', index: number): Promise<unknown> => {
      worker(side).send({ type: 'open', side, role, candidate: spec.candidate.id, settings: settings(index) });
      return worker(side).next(is('opened', side), OPEN_TIMEOUT_MS, `${side} opened`);
    };
    // Producers first: a ZeroMQ subscriber's subscribe() waits until it reaches every bound publisher.
    await Promise.all(producerSides.map((side, index) => open(side, 'producer', index)));
    // One after another: archivers sharing one store file must not create its tables at the same time.
    for (const [index, side] of consumerSides.entries()) await open(side, 'consumer', index);
    for (const side of producerSides) worker(side).send({ type: 'probe', side });
    await within(allProbed, PROBE_TIMEOUT_MS, `no consumer heard a probe from every producer within ${PROBE_TIMEOUT_MS} ms`, [...new Set(workers.values())]);
    await Promise.all(
      consumerSides.map((side) => {
        worker(side).send({ type: 'measure', side, sample: spec.sample, expected: competing ? 0 : sent });
        return worker(side).next(is('measuring', side), OPEN_TIMEOUT_MS, `${side} measuring`);
      }),
    );
    const broker = spec.candidate.broker ? findLocalBroker(spec.amqpUrl) : undefined;
    const brokerCpuAtStart = broker?.cpuMs();
    const sendTimeout = spec.plan.kind === 'rate' ? (spec.plan.messages / spec.plan.rate) * 1000 + 60_000 : 600_000;
    const reports = await Promise.all(
      producerSides.map((side) => {
        const done = worker(side).next(is('sent', side), sendTimeout, `end of sending from ${side}`);
        worker(side).send({ type: 'run', side, plan: spec.plan });
        return done;
      }),
    );
    let last = received();
    let lastChange = Date.now();
    while (received() < expected && Date.now() - lastChange < spec.idleMs && spec.signal?.aborted !== true) {
      await delay(10);
      if (received() !== last) {
        last = received();
        lastChange = Date.now();
      }
    }
    const results = await Promise.all(
      consumerSides.map((side) => {
        const result = worker(side).next(is('received', side), REPORT_TIMEOUT_MS, `report of ${side}`);
        worker(side).send({ type: 'report', side });
        return result;
      }),
    );
    spec.onProgress?.(1);
    const brokerCpuAtEnd = broker?.cpuMs();
    const summarised = summarise(spec, reports, results, expected);
    const measured = brokerCpuAtStart === undefined || brokerCpuAtEnd === undefined ? summarised : { ...summarised, brokerCpuMs: brokerCpuAtEnd - brokerCpuAtStart };
    // A process writes its profiles as it exits.
    await closeAll();
    return processDirs.size === 0 ? measured : { ...measured, profiles: [...processDirs.values()].flatMap(({ dir, name }) => profilesIn(dir, name)) };
  } finally {
    spec.signal?.removeEventListener('abort', interrupt);
    clearInterval(progress);
    await closeAll();
    if (spec.candidate.broker) await deleteAmqpNames(spec.amqpUrl, { exchange, ...(queue === undefined ? {} : { queue }) });
  }
}

/** The threads profiled in `dir`; none when the process wrote nothing there (it did not exit by itself). */
function profilesIn(dir: string, name: string): ThreadProfile[] {
  return existsSync(dir) ? summariseProcessProfiles(dir, name) : [];
}

function summarise(spec: MeasurementSpec, reports: readonly Typed<'sent'>[], results: readonly Typed<'received'>[], expected: number): Measurement {
  const sent = reports.reduce((sum, report) => sum + report.sent, 0);
  const received = results.reduce((sum, result) => sum + result.received, 0);
  const startedAt = Math.min(...reports.map((report) => report.startedAt));
  const publishedAt = Math.max(...reports.map((report) => report.endedAt));
  const lastAt = Math.max(...results.map((result) => result.lastAt));
  const seconds = (lastAt - startedAt) / 1000;
  const detectedAll = results.map((result) => result.detected).filter((detected) => detected !== undefined);
  const total = (key: keyof DetectedLoss): number => detectedAll.reduce((sum, loss) => sum + loss[key], 0);
  const detected = detectedAll.length === 0 ? undefined : { gaps: total('gaps'), missed: total('missed'), dropped: total('dropped') };
  const byPid = new Map<number, MeasuredProcess>();
  const add = (role: 'producer' | 'consumer', usage: ProcessUsage): void => {
    const known = byPid.get(usage.pid);
    if (known === undefined) byPid.set(usage.pid, { role, ...usage });
    else {
      const mainThread = known.mainThreadCpuMs === undefined || usage.mainThreadCpuMs === undefined ? {} : { mainThreadCpuMs: Math.max(known.mainThreadCpuMs, usage.mainThreadCpuMs) };
      byPid.set(usage.pid, { role: 'producer+consumer', pid: usage.pid, cpuMs: Math.max(known.cpuMs, usage.cpuMs), ...mainThread, maxRssMiB: Math.max(known.maxRssMiB, usage.maxRssMiB) });
    }
  };
  for (const report of reports) add('producer', report.usage);
  for (const result of results) add('consumer', result.usage);
  return {
    sent,
    expected,
    received,
    lost: Math.max(0, expected - received),
    seconds,
    perSecond: received > 0 && seconds > 0 ? received / seconds : 0,
    publishSeconds: (publishedAt - startedAt) / 1000,
    drainMs: Math.max(0, lastAt - publishedAt),
    samples: spec.sample ? results.flatMap((result) => result.samples) : [],
    ...(detected === undefined ? {} : { detected }),
    processes: [...byPid.values()],
  };
}
