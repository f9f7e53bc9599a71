import type { TransportStatus } from '@statbus/core';

/** Default {@link ArchiverHealthOptions.stallMs}. */
export const DEFAULT_ARCHIVER_STALL_MS = 2_000;

/** How {@link ArchiverHealth} judges readiness. */
export interface ArchiverHealthOptions {
  /** A store write still not finished after this long (ms) makes the archiver not ready. */
  readonly stallMs?: number;
  /** The clock (ms since the epoch); tests give their own. */
  readonly now?: () => number;
}

/** What the archiver says about itself: what `/ready` of `statbus nom` (and `serve --archive`, `up`) answers. */
export interface ArchiverHealthReport {
  /** Archiving: started, not stopping, the transport connected, the store taking writes. */
  readonly ready: boolean;
  /** Why not ready; empty when ready. */
  readonly problems: readonly string[];
  /** `connected`, `disconnected` (also while reconnecting) or `closed`, as the transport last reported. */
  readonly transport: 'connected' | 'disconnected' | 'closed';
  /** `ok`, `failing` (the last write failed and is being retried) or `stalled` (a write has not finished within `stallMs`). */
  readonly store: 'ok' | 'failing' | 'stalled';
  /** When the last write committed (ISO 8601), or null. */
  readonly lastWriteAt: string | null;
  /** How long the write in progress has been going on (ms), or null when none is. */
  readonly pendingWriteMs: number | null;
  /** Why the last failed write failed, while writes fail. */
  readonly lastError: string | null;
  /** Gaps the transport reported (messages lost before they reached this archiver), and messages in them. */
  readonly gaps: { readonly count: number; readonly missed: number };
}

/**
 * The archiver's readiness, kept from what it does rather than asked of the store or the broker: a probe
 * reads it without any I/O, so it answers at once even while the store is locked or the broker stalls.
 */
export class ArchiverHealth {
  readonly #stallMs: number;
  readonly #now: () => number;
  #started = false;
  #stopping = false;
  #transport: ArchiverHealthReport['transport'] = 'connected';
  readonly #down = new Set<string>();
  #lastWriteAt: number | undefined;
  #writeStartedAt: number | undefined;
  #failingSince: number | undefined;
  #lastError: string | undefined;
  #gaps = 0;
  #missed = 0;

  constructor(options: ArchiverHealthOptions = {}) {
    this.#stallMs = options.stallMs ?? DEFAULT_ARCHIVER_STALL_MS;
    this.#now = options.now ?? Date.now;
  }

  started(): void {
    this.#started = true;
  }

  stopping(): void {
    this.#stopping = true;
  }

  writeStarted(): void {
    this.#writeStartedAt ??= this.#now();
  }

  writeFailed(error: unknown): void {
    this.#failingSince ??= this.#now();
    this.#lastError = error instanceof Error ? error.message : String(error);
  }

  /** A write ended, committed or settled otherwise (a refusal for good is the message's fault, not the store's). */
  writeEnded(committed: boolean): void {
    this.#writeStartedAt = undefined;
    if (committed) {
      this.#lastWriteAt = this.#now();
      this.#failingSince = undefined;
      this.#lastError = undefined;
    }
  }

  transportStatus(status: TransportStatus): void {
    switch (status.type) {
      case 'connected':
        this.#down.delete(status.address);
        if (this.#transport !== 'closed') this.#transport = this.#down.size === 0 ? 'connected' : 'disconnected';
        break;
      case 'disconnected':
      case 'reconnecting':
        this.#down.add(status.address);
        if (this.#transport !== 'closed') this.#transport = 'disconnected';
        break;
      case 'closed':
        this.#transport = 'closed';
        break;
      case 'gap':
        this.#gaps += 1;
        this.#missed += status.missed;
        break;
      default:
        break;
    }
  }

  report(): ArchiverHealthReport {
    const now = this.#now();
    const pendingWriteMs = this.#writeStartedAt === undefined ? null : now - this.#writeStartedAt;
    const store: ArchiverHealthReport['store'] =
      this.#failingSince !== undefined ? 'failing' : pendingWriteMs !== null && pendingWriteMs > this.#stallMs ? 'stalled' : 'ok';
    const problems: string[] = [];
    if (!this.#started) problems.push('not started');
    if (this.#stopping) problems.push('stopping');
    if (this.#transport !== 'connected') problems.push(`transport ${this.#transport}`);
    if (store === 'failing') problems.push(`store writes failing since ${new Date(this.#failingSince ?? now).toISOString()}: ${this.#lastError ?? ''}`);
    if (store === 'stalled') problems.push(`a store write has not finished for ${pendingWriteMs ?? 0} ms`);
    return {
      ready: problems.length === 0,
      problems,
      transport: this.#transport,
      store,
      lastWriteAt: this.#lastWriteAt === undefined ? null : new Date(this.#lastWriteAt).toISOString(),
      pendingWriteMs,
      lastError: this.#lastError ?? null,
      gaps: { count: this.#gaps, missed: this.#missed },
    };
  }
}
