import type { DeferredIndexerTuning } from './sqlite-deferred-indexer.js';

/** What the index worker is started with. */
export interface IndexWorkerData {
  readonly path: string;
  readonly indexing: DeferredIndexerTuning;
  readonly busyTimeoutMs: number;
  readonly cacheMb: number;
  readonly mmapMb: number;
  /** The shared counter of an `IndexWorkerLock`: the worker tells the store's thread while it holds the write lock. */
  readonly lock: SharedArrayBuffer;
}

/** Messages to the index worker. */
export type IndexWorkerRequest =
  | { readonly type: 'wake' }
  | { readonly type: 'pause'; readonly paused: boolean }
  | { readonly type: 'catchUp'; readonly id: number; readonly maxRows: number }
  | { readonly type: 'stop' };

/** Messages from the index worker. */
export type IndexWorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'caughtUp'; readonly id: number; readonly indexed: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string; readonly busy: boolean };
