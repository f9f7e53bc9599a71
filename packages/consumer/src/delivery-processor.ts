import type { Delivery, Logger, NackOptions } from '@statbus/core';
import type { AttemptTracker } from './attempt-tracker.js';
import { emptyHandlerCounters, type ConsumerCounters, type HandlerCounters } from './consumer-counters.js';
import type { ConsumerGroup, HandlerEntry } from './consumer-group.js';
import { Drop } from './drop.js';
import { HaltConsumer } from './halt-consumer.js';
import { Nack } from './nack.js';
import type { ReceiveGuard } from './receive-guard.js';

/** What a {@link DeliveryProcessor} works with. */
export interface ProcessorOptions {
  readonly guard: ReceiveGuard;
  readonly counters: ConsumerCounters;
  readonly attempts: AttemptTracker;
  /** Retries of a message before it is dead-lettered. */
  readonly maxRetries: number;
  /** Wait before putting a failed message back (ms), doubled each attempt up to 16 times; default 0. */
  readonly retryDelayMs?: number;
  readonly logger: Logger;
  /** A handler threw {@link HaltConsumer}; called before its message is settled. Must stop taking deliveries at once. */
  readonly onHalt: (halt: HaltConsumer, handler: string) => void;
  readonly now?: () => number;
}

/** The retry delay doubles at most this many times (up to 16 times `retryDelayMs`). */
const MAX_RETRY_DOUBLINGS = 4;

type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'drop'; readonly signal: Drop }
  | { readonly kind: 'retry'; readonly error: unknown }
  | { readonly kind: 'halt'; readonly signal: HaltConsumer };

function classify(error: unknown): Outcome {
  if (error instanceof HaltConsumer) return { kind: 'halt', signal: error };
  if (error instanceof Drop) return { kind: 'drop', signal: error };
  return { kind: 'retry', error };
}

/**
 * Runs one delivery through the guard and the matching handlers of its group, then settles it exactly once:
 * ack after success or `Drop`, requeue for a retry, dead-letter after `maxRetries` retries or when the guard
 * refuses it. Handlers of a group run in registration order; the first that fails or halts ends the run.
 */
export class DeliveryProcessor {
  readonly #options: ProcessorOptions;
  readonly #now: () => number;

  constructor(options: ProcessorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Processes and settles `delivery`. Never rejects. */
  async process(delivery: Delivery, group: ConsumerGroup): Promise<void> {
    const { counters, logger } = this.#options;
    const { envelope } = delivery;
    counters.received += 1;
    counters.lastMessageAt = this.#now();
    const log = logger.child({ group: group.name, topic: envelope.topic, id: envelope.id });
    const guarded = this.#options.guard.check(envelope);
    if (!guarded.ok) {
      counters.rejected += 1;
      log.warn({ reason: guarded.reason, producer: envelope.producer.name }, `rejected: ${guarded.message}`);
      await this.#settle(delivery, log, { requeue: false });
      return;
    }
    const attempt = this.#options.attempts.next(envelope.id, delivery.deliveryCount);
    const handlers = group.handlersFor(envelope.topic);
    if (handlers.length === 0) {
      counters.dropped += 1;
      log.debug('no handler matches; acknowledged');
      await this.#settle(delivery, log, 'ack');
      return;
    }
    let anyProcessed = false;
    let failure: Outcome | undefined;
    let last = handlers[0] as HandlerEntry;
    for (const handler of handlers) {
      last = handler;
      const result = await this.#run(handler, delivery, group, attempt, log);
      if (result.kind === 'ok') {
        anyProcessed = true;
        this.#count(handler, 'processed');
      } else if (result.kind === 'drop') {
        this.#count(handler, 'dropped');
        log.info({ handler: handler.name, reason: result.signal.message }, 'dropped');
      } else {
        failure = result;
        break;
      }
    }
    const outcome: Outcome = failure ?? (anyProcessed ? { kind: 'ok' } : { kind: 'drop', signal: new Drop() });
    await this.#conclude(outcome, last, delivery, attempt, log);
  }

  async #run(handler: HandlerEntry, delivery: Delivery, group: ConsumerGroup, attempt: number, log: Logger): Promise<Outcome> {
    const logger = log.child({ handler: handler.name });
    try {
      await handler.handle(delivery.envelope, { handler: handler.name, group: group.name, attempt, logger });
      return { kind: 'ok' };
    } catch (error) {
      return classify(error);
    }
  }

  async #conclude(outcome: Outcome, handler: HandlerEntry, delivery: Delivery, attempt: number, log: Logger): Promise<void> {
    const { counters, maxRetries, attempts } = this.#options;
    const id = delivery.envelope.id;
    switch (outcome.kind) {
      case 'ok':
        counters.processed += 1;
        attempts.forget(id);
        await this.#settle(delivery, log, 'ack');
        return;
      case 'drop':
        counters.dropped += 1;
        attempts.forget(id);
        await this.#settle(delivery, log, 'ack');
        return;
      case 'halt': {
        const { signal } = outcome;
        if (signal.requeue) counters.requeued += 1;
        else counters.processed += 1;
        attempts.forget(id);
        log.warn({ handler: handler.name, exitCode: signal.exitCode }, `halt: ${signal.message}`);
        // Halt first, so that a message put back is not handed to this hub again.
        this.#options.onHalt(signal, handler.name);
        await this.#settle(delivery, log, signal.requeue ? { requeue: true } : 'ack');
        return;
      }
      case 'retry': {
        const { error } = outcome;
        const asked = error instanceof Nack;
        if (attempt > maxRetries) {
          counters.failed += 1;
          this.#count(handler, 'failed');
          attempts.forget(id);
          log.error({ handler: handler.name, attempt, err: error }, `dead-lettered after ${attempt} attempt(s)`);
          await this.#settle(delivery, log, { requeue: false });
          return;
        }
        counters.retried += 1;
        this.#count(handler, 'retried');
        if (asked) log.debug({ handler: handler.name, attempt, reason: error.message }, 'retry asked');
        else log.warn({ handler: handler.name, attempt, err: error }, 'handler failed; will retry');
        // Held back before it is put back: a message that always fails would otherwise come straight back.
        const wait = (this.#options.retryDelayMs ?? 0) * 2 ** Math.min(attempt - 1, MAX_RETRY_DOUBLINGS);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await this.#settle(delivery, log, { requeue: true });
        return;
      }
    }
  }

  /** Returns a delivery unprocessed (taken while stopping). Never rejects. */
  async giveBack(delivery: Delivery): Promise<void> {
    this.#options.counters.requeued += 1;
    await this.#settle(delivery, this.#options.logger, { requeue: true });
  }

  #count(handler: HandlerEntry, field: keyof Omit<HandlerCounters, 'lastMessageAt'>): void {
    const counters = (this.#options.counters.handlers[handler.name] ??= emptyHandlerCounters());
    counters[field] += 1;
    counters.lastMessageAt = this.#now();
  }

  async #settle(delivery: Delivery, log: Logger, how: 'ack' | NackOptions): Promise<void> {
    try {
      if (how === 'ack') await delivery.ack();
      else await delivery.nack(how);
    } catch (error) {
      // The transport lost the channel: the broker redelivers what was not settled.
      log.warn({ err: error }, `could not ${how === 'ack' ? 'ack' : 'nack'} the message`);
    }
  }
}
