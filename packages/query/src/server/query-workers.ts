import cluster, { type Worker } from 'node:cluster';
import { silentLogger, type Logger } from '@statbus/core';

/** Options of {@link startQueryWorkers}. */
export interface QueryWorkersOptions {
  /** Worker processes to fork (at least 1). */
  readonly count: number;
  /** Added to each worker's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long (ms) a worker may take to listen before the start fails. Default {@link WORKER_START_TIMEOUT_MS}. */
  readonly startTimeoutMs?: number;
  readonly logger?: Logger;
}

/** The running workers of {@link startQueryWorkers}. */
export interface QueryWorkers {
  /** Where they listen (all of them share the one port). */
  readonly url: string;
  /** Process ids of the live workers. */
  pids(): readonly number[];
  /** Asks every worker to stop, and resolves when they all exited (killed after {@link WORKER_STOP_TIMEOUT_MS}). Idempotent. */
  close(): Promise<void>;
}

/** Default {@link QueryWorkersOptions.startTimeoutMs}. */
export const WORKER_START_TIMEOUT_MS = 30_000;
/** How long a worker may take to stop before it is killed. */
export const WORKER_STOP_TIMEOUT_MS = 10_000;

const LISTENING = 'statbus:query-listening';
const STOP = 'statbus:query-stop';

interface WorkerMessage {
  readonly type?: unknown;
  readonly url?: unknown;
}

/** In a worker process: tells the primary that this worker listens at `url`. No-op outside a worker. */
export function reportListening(url: string): void {
  if (cluster.isWorker) process.send?.({ type: LISTENING, url });
}

/**
 * In a worker process: resolves when the primary asks this worker to stop, or goes away. Never outside a
 * worker. Once stopped, the worker must leave (`cluster.worker.disconnect()` or exit): the IPC channel keeps
 * the process alive.
 */
export function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    if (!cluster.isWorker) return;
    const done = (): void => {
      process.off('message', onMessage);
      process.off('disconnect', done);
      resolve();
    };
    const onMessage = (message: WorkerMessage): void => {
      if (message.type === STOP) done();
    };
    process.on('message', onMessage);
    process.once('disconnect', done);
  });
}

/**
 * Serves the query API from `count` processes sharing one port (`node:cluster`: the primary hands each new
 * connection to the next worker). Each worker runs the current script again (`cluster.setupPrimary` may
 * change that) and must open its own store, listen, call {@link reportListening}, and stop on
 * {@link stopRequested}. With SQLite in WAL mode each worker reads through its own connection, so a slow
 * query occupies one worker while the others keep answering their own connections (connections, not
 * requests, are shared out). A worker that dies (exit code other than 0) is replaced.
 *
 * Resolves once every worker listens. Rejects if one exits or takes longer than `startTimeoutMs` first
 * (the others are stopped).
 */
export async function startQueryWorkers(options: QueryWorkersOptions): Promise<QueryWorkers> {
  if (!cluster.isPrimary) throw new Error('startQueryWorkers: call it from the primary process');
  const logger = options.logger ?? silentLogger;
  const startTimeoutMs = options.startTimeoutMs ?? WORKER_START_TIMEOUT_MS;
  const live = new Set<Worker>();
  const listening = new Set<Worker>();
  let closing = false;
  let started = false;
  let url = '';

  const fork = (): Promise<string> => {
    const worker = cluster.fork({ ...options.env });
    live.add(worker);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`query worker ${worker.process.pid ?? '?'} did not listen within ${startTimeoutMs} ms`)), startTimeoutMs);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type !== LISTENING || typeof message.url !== 'string') return;
        clearTimeout(timer);
        listening.add(worker);
        resolve(message.url);
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        live.delete(worker);
        listening.delete(worker);
        reject(new Error(`query worker ${worker.process.pid ?? '?'} exited (${signal ?? `code ${code}`}) before listening`));
        // Exit code 0: it stopped on a signal sent to the whole process group (Ctrl-C); the primary stops too.
        if (closing || !started || code === 0) return;
        logger.warn({ pid: worker.process.pid, code, signal }, 'query worker died; starting another');
        fork().catch((error: unknown) => logger.error({ err: error }, 'replacing a query worker failed'));
      });
    });
  };

  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(
      [...live].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_TIMEOUT_MS);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            // A worker still starting has not begun to listen for STOP yet.
            if (listening.has(worker) && worker.isConnected()) worker.send({ type: STOP });
            else worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    const urls = await Promise.all(Array.from({ length: Math.max(1, options.count) }, () => fork()));
    url = urls[0] ?? '';
    started = true;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url,
    pids: () => [...live].map((worker) => worker.process.pid).filter((pid): pid is number => pid !== undefined),
    close,
  };
}
