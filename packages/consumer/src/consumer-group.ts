import type { Delivery, Subscription, TopicMatcher, Transport } from '@statbus/core';
import type { HandlerFunction } from './consumer-handler.js';
import { Semaphore } from './semaphore.js';

/** A registered handler. */
export interface HandlerEntry {
  readonly name: string;
  readonly group: string;
  readonly patterns: readonly string[];
  readonly matcher: TopicMatcher;
  readonly handle: HandlerFunction;
}

/** What a group needs from its hub. Neither method may reject. */
export interface GroupHost {
  /** Runs the handlers on a delivery and settles it. */
  process(delivery: Delivery, group: ConsumerGroup): Promise<void>;
  /** Gives back a delivery taken while stopping, unprocessed. */
  giveBack(delivery: Delivery): Promise<void>;
  /** The subscription ended although nobody stopped the group (the transport closed or failed). */
  ended(group: ConsumerGroup, error: unknown): void;
}

/**
 * One consumer group: one subscription (a shared queue named after the group) for the patterns of its
 * handlers, and at most `concurrency` deliveries being processed at once.
 */
export class ConsumerGroup {
  readonly name: string;
  readonly handlers: HandlerEntry[] = [];
  readonly #host: GroupHost;
  readonly #concurrency: number;
  readonly #prefetch: number;
  readonly #slots: Semaphore;
  readonly #inFlight = new Set<Promise<void>>();
  #subscription: Subscription | undefined;
  #loop: Promise<void> = Promise.resolve();
  #stopping = false;
  #stopped: Promise<void> | undefined;

  constructor(name: string, host: GroupHost, options: { concurrency: number; prefetch: number }) {
    this.name = name;
    this.#host = host;
    this.#concurrency = options.concurrency;
    this.#prefetch = Math.max(options.prefetch, options.concurrency);
    this.#slots = new Semaphore(options.concurrency);
  }

  /** Deliveries being processed now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** The union of the handlers' patterns, without duplicates. */
  get patterns(): string[] {
    return [...new Set(this.handlers.flatMap((handler) => handler.patterns))];
  }

  /** The handlers whose patterns match `topic`, in registration order. */
  handlersFor(topic: string): HandlerEntry[] {
    return this.handlers.filter((handler) => handler.matcher.test(topic));
  }

  /**
   * Subscribes and starts taking deliveries.
   *
   * @returns when the subscription is live.
   * @throws what `transport.subscribe` rejects with.
   */
  async start(transport: Transport): Promise<void> {
    this.#subscription = await transport.subscribe(this.patterns, { queue: this.name, prefetch: this.#prefetch });
    this.#loop = this.#run(this.#subscription);
  }

  async #run(subscription: Subscription): Promise<void> {
    try {
      for await (const delivery of subscription) {
        const acquired = !this.#stopping;
        if (acquired) await this.#slots.acquire();
        if (this.#stopping) {
          // Taken after stop() began (buffered by the subscription): never processed, never acked.
          if (acquired) this.#slots.release();
          await this.#host.giveBack(delivery);
          continue;
        }
        const task = this.#host.process(delivery, this).finally(() => {
          this.#inFlight.delete(task);
          this.#slots.release();
        });
        this.#inFlight.add(task);
      }
      if (!this.#stopping) this.#host.ended(this, undefined);
    } catch (error) {
      if (!this.#stopping) this.#host.ended(this, error);
    }
  }

  /**
   * Stops taking deliveries, gives back those buffered, lets those in flight finish and be settled, then
   * closes the subscription. Idempotent; never rejects.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      const closing = this.#subscription?.close().catch(() => undefined) ?? Promise.resolve();
      await this.#loop;
      while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
      await closing;
    })();
    return this.#stopped;
  }
}
