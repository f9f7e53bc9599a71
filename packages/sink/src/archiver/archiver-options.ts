import type { ServiceIdentifier } from 'inversify';
import type { MessageExtractor, Verifier } from '@statbus/core';

/** How the {@link Archiver} batches and retries. Every field has a default. */
export interface ArchiverOptions {
  /** Messages per store write; default {@link DEFAULT_ARCHIVER_BATCH_SIZE}. */
  readonly batchSize?: number;
  /** Longest a received message waits for its batch to fill (ms); default {@link DEFAULT_ARCHIVER_MAX_WAIT_MS}. */
  readonly maxWaitMs?: number;
  /** The shared queue archivers consume from (competing consumers scale out); default {@link DEFAULT_ARCHIVER_QUEUE}. */
  readonly queue?: string;
  /** Unsettled deliveries; default twice the batch size, so one batch fills while the previous one is written. */
  readonly prefetch?: number;
  /** First wait before retrying a failed write (ms), doubled each time up to `retryMaxMs`. Default 100. */
  readonly retryInitialMs?: number;
  /** Longest wait between retries (ms). Default 10 000. */
  readonly retryMaxMs?: number;
  /**
   * Find users and packages in messages that do not give them; the first whose patterns match is used.
   * Default: `@statbus/meta`'s `defaultExtractors()` (Fedora's topic families). `[]` derives nothing.
   */
  readonly extractors?: readonly MessageExtractor[];
  /**
   * Verify every message with this verifier before storing it (as `[signing] verify = true` does with the keys of
   * `keys_dir`); refused messages are dead-lettered or dropped and counted by reason.
   */
  readonly verifier?: Verifier;
  /** A store write unfinished after this long (ms) makes the archiver not ready. Default 2000. */
  readonly stallMs?: number;
}

/** Default {@link ArchiverOptions.batchSize}. */
export const DEFAULT_ARCHIVER_BATCH_SIZE = 500;
/** Default {@link ArchiverOptions.maxWaitMs}. */
export const DEFAULT_ARCHIVER_MAX_WAIT_MS = 200;
/** Default {@link ArchiverOptions.queue}. */
export const DEFAULT_ARCHIVER_QUEUE = 'statbus.archive';
/** Default {@link ArchiverOptions.retryInitialMs}. */
export const DEFAULT_ARCHIVER_RETRY_INITIAL_MS = 100;
/** Default {@link ArchiverOptions.retryMaxMs}. */
export const DEFAULT_ARCHIVER_RETRY_MAX_MS = 10_000;

/** Optional binding for the archiver's {@link ArchiverOptions}; unbound means the defaults. */
export const ARCHIVER_OPTIONS: ServiceIdentifier<ArchiverOptions> = Symbol.for('@statbus/sink/ArchiverOptions');
