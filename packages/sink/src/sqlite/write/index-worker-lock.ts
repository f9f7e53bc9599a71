import { resolve } from 'node:path';

/** `Atomics.waitAsync` (in Node since 16; in TypeScript's libraries from ES2024 on). */
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs: number) => { readonly async: boolean; readonly value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { readonly waitAsync: WaitAsync }).waitAsync;

/** Told by an indexer when it holds the file's write lock, and when it let it go. */
export interface WriteLockHolder {
  acquired(): void;
  released(): void;
}

/**
 * Whether the store's own index worker holds the file's write lock, shared between the worker and the thread that
 * opened the store through one 32-bit counter in shared memory: odd while the worker holds the lock, moved on at
 * each taking and each release. So a write of the store's thread that SQLite refused as busy can tell a lock held by
 * its own worker (wait for the release, then try again) from one held by another connection (report it, as before).
 */
export class IndexWorkerLock implements WriteLockHolder {
  readonly buffer: SharedArrayBuffer;
  readonly #counter: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#counter = new Int32Array(buffer);
  }

  /** The counter now: compare it with a later reading through {@link heldSince}. */
  generation(): number {
    return Atomics.load(this.#counter, 0);
  }

  /** True when the worker holds the lock now or took it since `generation` was read. */
  heldSince(generation: number): boolean {
    const now = this.generation();
    return now !== generation || (now & 1) === 1;
  }

  /** Resolves once the worker does not hold the lock, or after `timeoutMs`. */
  async whenReleased(timeoutMs: number): Promise<void> {
    const now = this.generation();
    if ((now & 1) === 0) return;
    const waited = waitAsync(this.#counter, 0, now, Math.max(0, timeoutMs));
    if (waited.async) await waited.value;
  }

  /** On the worker: it took the lock. */
  acquired(): void {
    Atomics.add(this.#counter, 0, 1);
  }

  /** On the worker: it let the lock go. */
  released(): void {
    Atomics.add(this.#counter, 0, 1);
    Atomics.notify(this.#counter, 0);
  }
}

/** The locks of the index workers of this process, by the file they index. */
const workerLocks = new Map<string, Set<IndexWorkerLock>>();

/** Records `lock` as that of an index worker of `file` (resolved); returns what forgets it. */
export function registerWorkerLock(file: string, lock: IndexWorkerLock): () => void {
  const key = resolve(file);
  let locks = workerLocks.get(key);
  if (locks === undefined) {
    locks = new Set();
    workerLocks.set(key, locks);
  }
  locks.add(lock);
  return () => {
    locks.delete(lock);
    if (locks.size === 0 && workerLocks.get(key) === locks) workerLocks.delete(key);
  };
}

/**
 * The index workers of this process on one file (every store opened on it in this process has its own): a write
 * refused as busy while any of them held the lock is worth waiting for, whichever store's worker it was.
 */
export class FileWorkerLocks {
  readonly #key: string;

  constructor(file: string) {
    this.#key = resolve(file);
  }

  /** Each worker's counter now: compare with a later state through {@link heldSince}. */
  read(): ReadonlyMap<IndexWorkerLock, number> {
    return new Map([...this.#locks()].map((lock) => [lock, lock.generation()]));
  }

  /** True when one of the workers holds the lock now or took it since `reading`. */
  heldSince(reading: ReadonlyMap<IndexWorkerLock, number>): boolean {
    return [...this.#locks()].some((lock) => lock.heldSince(reading.get(lock) ?? 0));
  }

  /** Resolves once none of the workers holds the lock, or after `timeoutMs`. */
  async whenReleased(timeoutMs: number): Promise<void> {
    await Promise.all([...this.#locks()].map((lock) => lock.whenReleased(timeoutMs)));
  }

  #locks(): ReadonlySet<IndexWorkerLock> {
    return workerLocks.get(this.#key) ?? new Set();
  }
}
