import { compilePatterns, type TopicMatcher } from '@statbus/core';

/** A frame on the bus, with how many times it was handed out before. */
export interface MemoryFrame {
  readonly topic: string;
  readonly bytes: Uint8Array;
  readonly deliveries: number;
}

/** Something on a {@link MemoryBus} that receives routed frames. */
export interface MemoryEndpoint {
  readonly matcher: TopicMatcher;
  receive(frame: MemoryFrame): void;
}

/** A named queue on the bus: one copy of each matching message, handed to one of its consumers. */
export class MemoryQueue {
  readonly name: string;
  readonly #bindings: TopicMatcher[] = [];
  readonly #consumers = new Set<MemoryEndpoint>();
  readonly #ready: MemoryFrame[] = [];
  #next = 0;

  constructor(name: string) {
    this.name = name;
  }

  bind(patterns: readonly string[]): void {
    this.#bindings.push(compilePatterns(patterns));
  }

  matches(topic: string): boolean {
    return this.#bindings.some((binding) => binding.test(topic));
  }

  addConsumer(consumer: MemoryEndpoint & { hasCapacity(): boolean }): void {
    this.#consumers.add(consumer);
    this.dispatch();
  }

  removeConsumer(consumer: MemoryEndpoint): void {
    this.#consumers.delete(consumer);
  }

  enqueue(frame: MemoryFrame, atFront = false): void {
    if (atFront) this.#ready.unshift(frame);
    else this.#ready.push(frame);
    this.dispatch();
  }

  /** Hands ready messages round-robin to consumers that have room under their prefetch. */
  dispatch(): void {
    const consumers = [...this.#consumers] as (MemoryEndpoint & { hasCapacity(): boolean })[];
    while (this.#ready.length > 0 && consumers.length > 0) {
      let handed = false;
      for (let tried = 0; tried < consumers.length && this.#ready.length > 0; tried += 1) {
        const consumer = consumers[this.#next % consumers.length];
        this.#next += 1;
        if (consumer?.hasCapacity() === true) {
          consumer.receive(this.#ready.shift() as MemoryFrame);
          handed = true;
        }
      }
      if (!handed) return;
    }
  }
}

/**
 * An in-process bus shared by the {@link MemoryTransport}s given the same instance: routing with AMQP
 * topic semantics, exclusive subscriptions and named shared queues, synchronous and in order.
 */
export class MemoryBus {
  readonly #endpoints = new Set<MemoryEndpoint>();
  readonly #queues = new Map<string, MemoryQueue>();
  /** Frames rejected for good (`nack({ requeue: false })` or too many deliveries), oldest first. */
  readonly deadLetters: MemoryFrame[] = [];

  attach(endpoint: MemoryEndpoint): void {
    this.#endpoints.add(endpoint);
  }

  detach(endpoint: MemoryEndpoint): void {
    this.#endpoints.delete(endpoint);
  }

  /** The named queue, created on first use. */
  queue(name: string): MemoryQueue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new MemoryQueue(name);
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Delivers `bytes` to every subscription and queue whose patterns match `topic`. */
  route(topic: string, bytes: Uint8Array): void {
    const frame: MemoryFrame = { topic, bytes, deliveries: 0 };
    for (const endpoint of this.#endpoints) {
      if (endpoint.matcher.test(topic)) endpoint.receive(frame);
    }
    for (const queue of this.#queues.values()) {
      if (queue.matches(topic)) queue.enqueue(frame);
    }
  }
}
