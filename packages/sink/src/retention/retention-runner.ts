import type { Logger, MessageStore, RetentionConfig } from '@statbus/core';
import { applyRetention, type RetentionReport } from './apply-retention.js';

/**
 * Applies the retention rules every `config.interval_minutes` beside a running archiver (`statbus nom`), the
 * first time at start. A failed run is logged and tried again at the next interval; the archive stays online
 * throughout (one short transaction per batch). Does nothing without rules or with an interval of 0.
 */
export class RetentionRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** The last run's report, if any. */
  last: RetentionReport | undefined;

  constructor(
    private readonly store: MessageStore,
    private readonly config: RetentionConfig,
    private readonly logger: Logger,
  ) {}

  /** Starts the schedule; false when there is nothing to apply. */
  start(): boolean {
    if (this.config.rules.length === 0 || this.config.interval_minutes === 0 || this.timer !== undefined) return false;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.interval_minutes * 60_000);
    this.timer.unref();
    return true;
  }

  /** Stops the schedule and waits for a run in progress to finish its batch. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running;
  }

  private tick(): void {
    if (this.running !== undefined) return;
    this.running = applyRetention(this.store, this.config, { logger: this.logger, signal: this.stopping.signal })
      .then((report) => {
        this.last = report;
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'retention run failed; tried again at the next interval'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
