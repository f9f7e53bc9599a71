import { setTimeout as delay } from 'node:timers/promises';
import { inject, injectable, optional } from 'inversify';
import {
  BUS_EVENT_RECORDER,
  CONFIG,
  LOGGER,
  MESSAGE_STORE,
  StoreError,
  TRANSPORT,
  archiveMessage,
  selectExtractor,
  type ArchivedMessage,
  type BusEvent,
  type BusEventRecorder,
  type Delivery,
  type Envelope,
  type InsertResult,
  type Logger,
  type ExtractorSelector,
  type MessageStore,
  type StatbusConfig,
  type Subscription,
  type Transport,
  type TransportStatus,
  Verifier,
} from '@statbus/core';
import { defaultExtractors } from '@statbus/meta';
import {
  ARCHIVER_OPTIONS,
  DEFAULT_ARCHIVER_BATCH_SIZE,
  DEFAULT_ARCHIVER_MAX_WAIT_MS,
  DEFAULT_ARCHIVER_QUEUE,
  DEFAULT_ARCHIVER_RETRY_INITIAL_MS,
  DEFAULT_ARCHIVER_RETRY_MAX_MS,
  type ArchiverOptions,
} from './archiver-options.js';
import { ARCHIVE_REFUSALS, ArchiveGuard, type ArchiveRefusal } from './archive-guard.js';
import { ArchiverHealth, type ArchiverHealthReport } from './archiver-health.js';

/** Running totals of an {@link Archiver}. */
export interface ArchiverCounters {
  /** Messages written by this archiver. */
  readonly archived: number;
  /** Messages the store had already (a redelivery after a crash): acked, not written twice. */
  readonly duplicates: number;
  /** Messages the store cannot take (dead-lettered: nacked without requeue). */
  readonly rejected: number;
  /** Store writes that failed and were tried again. */
  readonly retries: number;
  readonly batches: number;
  /** Messages refused before storing (`[signing] verify`), by reason: dead-lettered over AMQP, dropped over ZeroMQ. */
  readonly refused: Readonly<Record<ArchiveRefusal, number>>;
}

/** What the archiver's config must give: the topic prefix, and `[signing]` to verify with. */
export type ArchiverConfig = Pick<StatbusConfig, 'topic_prefix'> & Partial<Pick<StatbusConfig, 'signing'>>;

interface Entry {
  readonly delivery: Delivery;
  readonly message?: ArchivedMessage;
  readonly error?: unknown;
  readonly refusal?: { readonly reason: ArchiveRefusal; readonly message: string };
}

type WriteOutcome = { readonly result: InsertResult } | { readonly refused: unknown } | { readonly stopped: true };

/**
 * datanommer's role: consumes every message (`#`) from a shared queue, writes them to the store in batches
 * and acks each delivery only after its batch is durably written. A store failure that may pass
 * (`StoreError.retryable`, or an unknown error) stops acking and retries with backoff, so nothing is lost;
 * ids make writes idempotent, so a redelivery is never stored twice. A message the store refuses for good
 * is dead-lettered (nacked without requeue) and counted, and the rest of its batch goes on.
 *
 * With `[signing] verify` (or a `verifier` option) it refuses, as the consumer hub does, unsigned, forged,
 * altered and off-policy messages, and foreign-format ones unless `foreign_formats = "accept-unverified"`:
 * each is dead-lettered (AMQP) or dropped (ZeroMQ), counted by reason and logged. What it stores carries
 * `verified`. Its {@link Archiver.health} is kept from what it does, so probes never touch the store.
 */
@injectable()
export class Archiver {
  private readonly options: Required<Omit<ArchiverOptions, 'extractors' | 'prefetch' | 'verifier' | 'stallMs'>> & { prefetch: number };
  private readonly logger: Logger;
  private readonly prefix: string;
  private readonly extractor: ExtractorSelector;
  private readonly totals = { archived: 0, duplicates: 0, rejected: 0, retries: 0, batches: 0 };
  private readonly refusals = Object.fromEntries(ARCHIVE_REFUSALS.map((reason) => [reason, 0])) as Record<ArchiveRefusal, number>;
  private readonly signing: ArchiverConfig['signing'];
  private readonly verifier: Verifier | undefined;
  private guard = new ArchiveGuard();
  private readonly healthState: ArchiverHealth;
  private statusIterator: AsyncIterator<TransportStatus> | undefined;
  private pending: Delivery[] = [];
  private subscription: Subscription | undefined;
  private consuming: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();

  constructor(
    @inject(TRANSPORT) private readonly transport: Transport,
    @inject(MESSAGE_STORE) private readonly store: MessageStore,
    @inject(CONFIG) config: ArchiverConfig,
    @inject(LOGGER) logger: Logger,
    @inject(ARCHIVER_OPTIONS) @optional() options: ArchiverOptions = {},
    @inject(BUS_EVENT_RECORDER) @optional() private readonly events?: BusEventRecorder,
  ) {
    const batchSize = options.batchSize ?? DEFAULT_ARCHIVER_BATCH_SIZE;
    this.options = {
      batchSize,
      maxWaitMs: options.maxWaitMs ?? DEFAULT_ARCHIVER_MAX_WAIT_MS,
      queue: options.queue ?? DEFAULT_ARCHIVER_QUEUE,
      prefetch: options.prefetch ?? batchSize * 2,
      retryInitialMs: options.retryInitialMs ?? DEFAULT_ARCHIVER_RETRY_INITIAL_MS,
      retryMaxMs: options.retryMaxMs ?? DEFAULT_ARCHIVER_RETRY_MAX_MS,
    };
    this.prefix = config.topic_prefix;
    this.logger = logger.child({ component: 'archiver' });
    this.extractor = selectExtractor(options.extractors ?? defaultExtractors());
    this.signing = config.signing;
    this.verifier = options.verifier;
    this.healthState = new ArchiverHealth(options.stallMs === undefined ? {} : { stallMs: options.stallMs });
  }

  /**
   * Loads the verification keys (with `[signing] verify`), subscribes to `#` on the archive queue; resolves
   * when the subscription is live.
   *
   * @throws {SigningKeyError} when the keys cannot be read; what the transport's `subscribe` rejects with.
   */
  async start(): Promise<void> {
    if (this.subscription !== undefined) return;
    const verifier = this.verifier ?? (this.signing?.verify === true ? await Verifier.fromConfig(this.signing) : undefined);
    this.guard = new ArchiveGuard(verifier, this.signing?.foreign_formats);
    this.watchStatus();
    const subscription = await this.transport.subscribe(['#'], { queue: this.options.queue, prefetch: this.options.prefetch });
    this.subscription = subscription;
    this.consuming = this.consume(subscription);
    this.healthState.started();
    this.logger.info({ queue: this.options.queue, batchSize: this.options.batchSize, verify: this.guard.verifying }, 'archiving');
  }

  /**
   * Stops taking messages, writes what it holds and closes the subscription. During a store outage it
   * stops retrying and requeues what it holds (another archiver, or this one restarted, takes it).
   */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    if (subscription === undefined) return;
    this.healthState.stopping();
    this.stopping.abort();
    await Promise.all([subscription.close(), this.consuming]);
    await this.flushing;
    // Not awaited: a status stream waiting for its next event may only end once one comes.
    void this.statusIterator?.return?.();
  }

  /** A snapshot of the running totals. */
  counters(): ArchiverCounters {
    return { ...this.totals, refused: { ...this.refusals } };
  }

  /** Whether it is archiving, and why not: computed from its own state, without I/O. */
  health(): ArchiverHealthReport & { readonly counters: ArchiverCounters } {
    return { ...this.healthState.report(), counters: this.counters() };
  }

  private watchStatus(): void {
    let iterator: AsyncIterator<TransportStatus>;
    try {
      iterator = this.transport.status()[Symbol.asyncIterator]();
    } catch (error) {
      this.logger.warn({ err: error }, 'the transport reports no status; readiness ignores it');
      return;
    }
    this.statusIterator = iterator;
    void (async () => {
      try {
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) this.healthState.transportStatus(next.value);
      } catch (error) {
        this.logger.warn({ err: error }, 'transport status stream failed');
      }
    })();
  }

  private async consume(subscription: Subscription): Promise<void> {
    try {
      for await (const delivery of subscription) {
        this.pending.push(delivery);
        if (this.pending.length >= this.options.batchSize) await this.flush();
        else this.timer ??= setTimeout(() => void this.flush(), this.options.maxWaitMs);
      }
    } finally {
      await this.flush();
    }
  }

  /** Writes what is pending; batches are written one after another, never concurrently. */
  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.flushing
      .then(() => this.writeBatch(this.pending.splice(0)))
      .catch((error: unknown) => this.logger.error({ err: error }, 'settling a batch failed; the transport redelivers it'));
    this.flushing = run;
    return run;
  }

  private archive(envelope: Envelope, verified: boolean): ArchivedMessage {
    return { ...archiveMessage(envelope, { prefix: this.prefix, extractor: this.extractor }), verified };
  }

  private async writeBatch(batch: readonly Delivery[]): Promise<void> {
    if (batch.length === 0) return;
    this.totals.batches += 1;
    const entries: Entry[] = batch.map((delivery) => {
      try {
        const check = this.guard.check(delivery.envelope);
        if (!check.ok) return { delivery, refusal: check };
        return { delivery, message: this.archive(delivery.envelope, check.verified) };
      } catch (error) {
        return { delivery, error };
      }
    });
    const ready = entries.filter((entry) => entry.message !== undefined);
    for (const entry of entries) {
      if (entry.refusal !== undefined) await this.refuse(entry.delivery, entry.refusal);
      else if (entry.error !== undefined) await this.reject(entry.delivery, entry.error);
    }
    const outcome = await this.write(ready.map((entry) => entry.message as ArchivedMessage));
    if ('result' in outcome) return this.settle(ready, outcome.result);
    if ('stopped' in outcome) return this.requeue(ready);
    // Refused for good: find which messages, one at a time (ids make the already-written ones duplicates).
    this.logger.warn({ size: ready.length, err: outcome.refused }, 'the store refused a batch; writing its messages one by one');
    for (const entry of ready) {
      const single = await this.write([entry.message as ArchivedMessage]);
      if ('result' in single) await this.settle([entry], single.result);
      else if ('stopped' in single) await this.requeue([entry]);
      else await this.reject(entry.delivery, single.refused);
    }
  }

  private async write(messages: readonly ArchivedMessage[]): Promise<WriteOutcome> {
    if (messages.length === 0) return { result: { inserted: [], duplicates: [] } };
    this.healthState.writeStarted();
    try {
      const outcome = await this.writeWithRetries(messages);
      this.healthState.writeEnded('result' in outcome);
      return outcome;
    } catch (error) {
      this.healthState.writeEnded(false);
      throw error;
    }
  }

  private async writeWithRetries(messages: readonly ArchivedMessage[]): Promise<WriteOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { result: await this.store.insertMany(messages) };
      } catch (error) {
        if (error instanceof StoreError && !error.retryable) return { refused: error };
        this.healthState.writeFailed(error);
        if (this.stopping.signal.aborted) return { stopped: true };
        const wait = Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** (attempt - 1));
        this.totals.retries += 1;
        this.logger.warn({ attempt, retryInMs: wait, size: messages.length, err: error }, 'store write failed; not acking, retrying');
        try {
          await delay(wait, undefined, { signal: this.stopping.signal });
        } catch {
          return { stopped: true };
        }
      }
    }
  }

  private async settle(entries: readonly Entry[], result: InsertResult): Promise<void> {
    this.totals.archived += result.inserted.length;
    this.totals.duplicates += result.duplicates.length;
    await Promise.all(entries.map((entry) => entry.delivery.ack()));
    if (this.events !== undefined && result.inserted.length > 0) {
      // Only what this write newly stored: a redelivered duplicate was measured when it was first archived.
      const now = Date.now();
      const inserted = new Set(result.inserted);
      // Once per id: a batch may hold the same message twice (a redelivery), stored once.
      const archived = entries.filter((entry) => entry.message !== undefined && inserted.delete(entry.message.envelope.id));
      this.record(archived.map((entry): BusEvent => ({ type: 'archived', time: entry.delivery.envelope.time, delayMs: now - entry.delivery.envelope.time })));
    }
  }

  /** Bus events go to the metrics on the side: their failure never holds up archiving. */
  private record(events: readonly BusEvent[]): void {
    this.events?.recordEvents(events).catch((error: unknown) => this.logger.warn({ err: error, events: events.length }, 'recording bus events in the metrics failed'));
  }

  private async requeue(entries: readonly Entry[]): Promise<void> {
    this.logger.info({ size: entries.length }, 'stopping during a store outage: requeueing unwritten messages');
    await Promise.all(entries.map((entry) => entry.delivery.nack({ requeue: true })));
  }

  private async refuse(delivery: Delivery, refusal: NonNullable<Entry['refusal']>): Promise<void> {
    this.refusals[refusal.reason] += 1;
    this.record([{ type: 'refused', time: Date.now(), reason: refusal.reason }]);
    const { id, topic, producer } = delivery.envelope;
    this.logger.warn({ id, topic, producer: producer.name, reason: refusal.reason }, `message refused: ${refusal.message}`);
    await delivery.nack({ requeue: false });
  }

  private async reject(delivery: Delivery, error: unknown): Promise<void> {
    this.totals.rejected += 1;
    this.record([{ type: 'dead-letter', time: Date.now(), reason: 'unstorable' }]);
    this.logger.error({ id: delivery.envelope.id, topic: delivery.envelope.topic, err: error }, 'message cannot be stored: dead-lettered');
    await delivery.nack({ requeue: false });
  }
}
