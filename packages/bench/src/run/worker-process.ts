import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from '../worker/worker-protocol.js';

const fromSources = import.meta.url.endsWith('.ts');
/** The worker script next to this module: built JavaScript, or the TypeScript source when run through tsx. */
const WORKER = fileURLToPath(new URL(`../worker/bench-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url));
const EXEC_ARGV = fromSources ? ['--conditions=@statbus/source', '--import', 'tsx'] : [];
const CLOSE_TIMEOUT_MS = 10_000;

interface Waiter {
  readonly match: (message: FromWorker) => boolean;
  readonly resolve: (message: FromWorker) => void;
  readonly reject: (error: Error) => void;
}

/** One forked benchmark worker and the messages it sends, awaited by predicate. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(message: FromWorker) => void>();
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<void>;
  private fail: (error: Error) => void = () => undefined;
  private failed: Error | undefined;
  /** Rejects when the worker reports a failure or exits before it was closed. */
  readonly failure: Promise<never> = new Promise<never>((_, reject) => (this.fail = reject));

  /**
   * @param profileDir with it, the worker runs under `--cpu-prof` and writes a profile of each of its threads
   *   there when it exits.
   */
  constructor(
    readonly label: string,
    profileDir?: string,
  ) {
    this.failure.catch(() => undefined);
    const execArgv = profileDir === undefined ? EXEC_ARGV : [...EXEC_ARGV, '--cpu-prof', `--cpu-prof-dir=${profileDir}`];
    this.child = fork(WORKER, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000);
    });
    this.child.on('message', (message: FromWorker) => {
      for (const listener of this.listeners) listener(message);
      if (message.type === 'failed') return this.failAll(new Error(`${label}${message.side === undefined ? '' : ` (${message.side})`}: ${message.message}`));
      for (const waiter of this.waiters) {
        if (!waiter.match(message)) continue;
        this.waiters.delete(waiter);
        waiter.resolve(message);
      }
    });
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.failAll(new Error(`${label}: worker exited (${signal ?? code})${this.stderr === '' ? '' : `: ${this.stderr.trim()}`}`));
        resolve();
      });
    });
  }

  /** Calls `listener` for every message (progress). */
  onMessage(listener: (message: FromWorker) => void): void {
    this.listeners.add(listener);
  }

  send(message: ToWorker): void {
    if (!this.exited) this.child.send(message);
  }

  /** The next message matching `match`; rejects when the worker fails or exits, or after `timeoutMs`. */
  next<T extends FromWorker>(match: (message: FromWorker) => message is T, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (this.failed !== undefined) waiter.reject(this.failed);
      else if (this.exited) waiter.reject(new Error(`${this.label}: worker has exited`));
      else this.waiters.add(waiter);
    });
  }

  /** Fails every wait on this worker, now and later (the run was interrupted). */
  interrupt(error: Error): void {
    this.failAll(error);
  }

  /** Asks the worker to close its sides and exit; kills it when it does not within 10 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    await this.exit;
    clearTimeout(timer);
  }

  private failAll(error: Error): void {
    this.failed ??= error;
    this.fail(error);
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }
}
