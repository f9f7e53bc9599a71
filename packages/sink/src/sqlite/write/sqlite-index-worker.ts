import { Worker } from 'node:worker_threads';
import { StoreError } from '@statbus/core';
import { IndexWorkerLock, registerWorkerLock } from './index-worker-lock.js';
import type { IndexWorkerData, IndexWorkerReply, IndexWorkerRequest } from './index-worker-protocol.js';
import type { SqliteDeferredIndexer } from './sqlite-deferred-indexer.js';

/** What the store asks of whoever fills its deferred indexes: on this thread, or on a worker thread. */
export interface DeferredIndexing {
  /** After a commit that stored messages. */
  schedule(): void;
  pause(paused: boolean): void;
  /**
   * During a bulk load: indexing on the inserting thread pauses (it would run between the writes); a worker goes on
   * indexing what each of the load's commits made visible, beside the load.
   */
  bulkLoading(active: boolean): void;
  /** See `SqliteMessageStore.catchUpIndexes`. */
  catchUp(maxRows?: number): number | Promise<number>;
  stop(): void | Promise<void>;
}

/** How long `stop` waits for the worker to finish its transaction before ending it (it is rolled back then). */
const STOP_GRACE_MS = 10_000;

/**
 * The worker's module and data: the built module next to this one; when this module runs from its TypeScript source
 * (tests, tsx), a starter from the workspace's test support that loads the source through tsx.
 */
function workerStart(data: IndexWorkerData): { readonly filename: URL; readonly workerData: IndexWorkerData & { readonly entry?: string } } {
  const url = new URL(import.meta.url.replace(/sqlite-index-worker\.(ts|js)$/u, 'sqlite-index-worker-main.$1'));
  if (!url.pathname.endsWith('.ts')) return { filename: url, workerData: data };
  return { filename: new URL('../../test-support/index-worker-from-source.mjs', import.meta.url), workerData: { ...data, entry: url.href } };
}

/**
 * Fills the deferred indexes (users, packages, agents, text) on a worker thread with its own connection to the
 * store's file, so that `insertMany`'s thread (the archiver's) does no index work: each commit only wakes the
 * worker. Its progress lives in the file (the `side_indexed` and `text_indexed` counters), so a restarted store
 * resumes where it stopped, and queries stay exact meanwhile (rows past a counter are checked directly). If the
 * worker fails, the indexes are filled on this thread instead (`fallback`).
 */
export class SqliteIndexWorker implements DeferredIndexing {
  private readonly worker: Worker;
  private readonly requests = new Map<number, { resolve: (indexed: number) => void; reject: (error: unknown) => void }>();
  private nextId = 0;
  private failed = false;
  private paused = false;
  private readonly exited: Promise<void>;

  /** Whether the worker holds the file's write lock (see {@link IndexWorkerLock}). */
  private readonly lock = new IndexWorkerLock();
  private readonly forgetLock: () => void;

  constructor(
    data: Omit<IndexWorkerData, 'lock'>,
    private readonly fallback: SqliteDeferredIndexer,
  ) {
    const start = workerStart({ ...data, lock: this.lock.buffer });
    this.forgetLock = registerWorkerLock(data.path, this.lock);
    this.worker = new Worker(start.filename, { workerData: start.workerData });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (reply: IndexWorkerReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.once('exit', () => {
      this.forgetLock();
      this.fail(new Error('the index worker stopped'));
    });
    // A store left open does not keep the process alive for its indexing (as the in-thread indexer's timers).
    this.worker.unref();
  }

  schedule(): void {
    if (this.failed) this.fallback.schedule();
    else this.post({ type: 'wake' });
  }

  pause(paused: boolean): void {
    this.paused = paused;
    if (this.failed) this.fallback.pause(paused);
    else this.post({ type: 'pause', paused });
  }

  bulkLoading(active: boolean): void {
    if (this.failed) this.fallback.bulkLoading(active);
  }

  /** Indexes up to `maxRows` on the worker; resolves with how many, or rejects with a {@link StoreError}. */
  catchUp(maxRows = Number.POSITIVE_INFINITY): number | Promise<number> {
    if (this.failed) return this.fallback.catchUp(maxRows);
    const id = (this.nextId += 1);
    // Awaited: the process stays alive for the answer.
    this.worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.post({ type: 'catchUp', id, maxRows });
    });
  }

  /** Lets the worker finish its transaction, closes its connection and waits for it to end. */
  async stop(): Promise<void> {
    this.fallback.stop();
    if (this.failed) return;
    this.failed = true;
    this.post({ type: 'stop' });
    const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private post(request: IndexWorkerRequest): void {
    this.worker.postMessage(request);
  }

  private settle(reply: IndexWorkerReply): void {
    if (reply.type === 'ready') return;
    const request = this.requests.get(reply.id);
    if (request === undefined) return;
    this.requests.delete(reply.id);
    if (this.requests.size === 0) this.worker.unref();
    if (reply.type === 'caughtUp') request.resolve(reply.indexed);
    else request.reject(new StoreError(`SQLite store: indexing failed: ${reply.message}`, { retryable: reply.busy }));
  }

  private fail(error: unknown): void {
    const wasRunning = !this.failed;
    this.failed = true;
    for (const request of this.requests.values()) request.reject(new StoreError('SQLite store: the index worker stopped', { retryable: true, cause: error }));
    this.requests.clear();
    // Indexing goes on here: the backlog the worker left is scheduled on this thread.
    if (wasRunning) this.fallback.pause(this.paused || this.fallback.bulk);
  }
}
