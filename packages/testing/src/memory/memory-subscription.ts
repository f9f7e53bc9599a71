import {
  AsyncQueue,
  compilePatterns,
  type Delivery,
  type DeliveryHandler,
  type Envelope,
  type NackOptions,
  type Subscription,
  type TopicMatcher,
} from '@statbus/core';
import type { MemoryFrame, MemoryQueue } from './memory-bus.js';

/** What a subscription needs from its transport. */
export interface MemorySubscriptionHost {
  /** Decodes a frame; returns undefined when it was dropped (the host counts and reports it). */
  decode(frame: MemoryFrame): Envelope | undefined;
  /** A frame rejected for good. */
  deadLetter(frame: MemoryFrame): void;
  readonly maxDeliveries: number;
}

/** A subscription on a {@link MemoryBus}: exclusive (every message) or a consumer of a named queue. */
export class MemorySubscription implements Subscription {
  readonly patterns: readonly string[];
  readonly matcher: TopicMatcher;
  readonly closed: Promise<void>;
  readonly #host: MemorySubscriptionHost;
  readonly #queue: MemoryQueue | undefined;
  readonly #prefetch: number;
  readonly #deliveries = new AsyncQueue<Delivery>();
  readonly #onClose: () => void;
  #unsettled = 0;
  #closing = false;
  #resolveClosed!: () => void;
  #handlerDone: Promise<void> = Promise.resolve();

  constructor(
    host: MemorySubscriptionHost,
    patterns: readonly string[],
    options: { queue?: MemoryQueue; prefetch: number; handler?: DeliveryHandler; onClose: () => void },
  ) {
    this.#host = host;
    this.patterns = patterns;
    this.matcher = compilePatterns(patterns);
    this.#queue = options.queue;
    this.#prefetch = options.prefetch;
    this.#onClose = options.onClose;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    if (options.handler !== undefined) this.#handlerDone = this.#runHandler(options.handler);
  }

  hasCapacity(): boolean {
    return !this.#closing && this.#unsettled < this.#prefetch;
  }

  receive(frame: MemoryFrame): void {
    if (this.#closing) {
      this.#queue?.enqueue(frame, true);
      return;
    }
    const envelope = this.#host.decode(frame);
    if (envelope === undefined) return;
    const deliveries = frame.deliveries + 1;
    const delivered: MemoryFrame = { ...frame, deliveries };
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.#unsettled -= 1;
      return true;
    };
    this.#unsettled += 1;
    this.#deliveries.push({
      envelope,
      redelivered: deliveries > 1,
      deliveryCount: deliveries,
      ack: () => {
        if (settle()) this.#queue?.dispatch();
        return Promise.resolve();
      },
      nack: (options?: NackOptions) => {
        if (!settle()) return Promise.resolve();
        const requeue = options?.requeue ?? true;
        if (!requeue || deliveries >= this.#host.maxDeliveries) this.#host.deadLetter(delivered);
        else if (this.#queue !== undefined) this.#queue.enqueue(delivered, true);
        else this.receive(delivered);
        this.#queue?.dispatch();
        return Promise.resolve();
      },
    });
  }

  async #runHandler(handler: DeliveryHandler): Promise<void> {
    for await (const delivery of this.#deliveries) {
      try {
        await handler(delivery);
        await delivery.ack();
      } catch {
        await delivery.nack({ requeue: true });
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery> {
    return this.#deliveries[Symbol.asyncIterator]();
  }

  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#onClose();
      this.#queue?.removeConsumer(this);
      this.#deliveries.end();
      await this.#handlerDone;
      this.#resolveClosed();
    }
    return this.closed;
  }
}
