import {
  Broadcaster,
  DEFAULT_MAX_MESSAGE_BYTES,
  TopicError,
  TransportCounterSet,
  TransportError,
  decodeEnvelope,
  dropReasonOf,
  encodeEnvelope,
  silentLogger,
  validatePattern,
  type DropReason,
  type Envelope,
  type Logger,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCounters,
  type TransportStatus,
} from '@statbus/core';
import { MemoryBus, type MemoryFrame } from './memory-bus.js';
import { MemorySubscription } from './memory-subscription.js';

/** Options of {@link MemoryTransport}. */
export interface MemoryTransportOptions {
  readonly maxMessageBytes?: number;
  /** Unsettled deliveries per subscription; default 100. */
  readonly prefetch?: number;
  /** Deliveries of one message before it is dead-lettered; default 5. */
  readonly maxDeliveries?: number;
  readonly logger?: Logger;
}

const ADDRESS = 'memory://bus';

/**
 * A {@link Transport} over an in-process {@link MemoryBus}, honouring the contract exactly: encoded
 * frames (so size limits and malformed frames behave as on the wire), AMQP pattern semantics, named
 * shared queues, prefetch, redelivery and dead-lettering. For unit tests and the benchmark's baseline.
 */
export class MemoryTransport implements Transport {
  readonly kind = 'memory';
  readonly bus: MemoryBus;
  readonly #options: Required<Omit<MemoryTransportOptions, 'logger'>>;
  readonly #logger: Logger;
  readonly #status = new Broadcaster<TransportStatus>();
  readonly #subscriptions = new Set<MemorySubscription>();
  readonly #counters = new TransportCounterSet();
  #connected = false;
  #closing: Promise<void> | undefined;

  constructor(bus: MemoryBus = new MemoryBus(), options: MemoryTransportOptions = {}) {
    this.bus = bus;
    this.#options = {
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      prefetch: options.prefetch ?? 100,
      maxDeliveries: options.maxDeliveries ?? 5,
    };
    this.#logger = options.logger ?? silentLogger;
  }

  #assertOpen(operation: string): void {
    if (this.#closing !== undefined) throw new TransportError('ERR_CLOSED', `Cannot ${operation}: the transport is closed`, { address: ADDRESS });
  }

  #assertConnected(operation: string): void {
    if (!this.#connected) throw new TransportError('ERR_NOT_CONNECTED', `Cannot ${operation}: call connect() first`, { address: ADDRESS });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw becomes a rejection
  async connect(): Promise<void> {
    this.#assertOpen('connect');
    if (!this.#connected) {
      this.#connected = true;
      this.#status.publish({ type: 'connected', address: ADDRESS });
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw becomes a rejection
  async publish(envelope: Envelope): Promise<void> {
    this.#assertOpen('publish');
    this.#assertConnected('publish');
    const bytes = encodeEnvelope(envelope, { maxMessageBytes: this.#options.maxMessageBytes });
    this.bus.route(envelope.topic, bytes);
    this.#counters.published += 1;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw becomes a rejection
  async subscribe(patterns: readonly string[], options: SubscribeOptions = {}): Promise<Subscription> {
    this.#assertOpen('subscribe');
    if (patterns.length === 0) throw new TopicError('pattern', '', 'subscribe needs at least one pattern (use "#" for every topic)');
    patterns.forEach(validatePattern);
    this.#assertConnected('subscribe');
    const queue = options.queue === undefined ? undefined : this.bus.queue(options.queue);
    const subscription: MemorySubscription = new MemorySubscription(
      {
        decode: (frame) => this.#decode(frame),
        deadLetter: (frame) => {
          this.bus.deadLetters.push(frame);
          this.#drop('rejected', new TransportError('ERR_SUBSCRIBE', `Message on ${frame.topic} rejected after ${frame.deliveries} deliveries`));
        },
        maxDeliveries: this.#options.maxDeliveries,
      },
      patterns,
      {
        prefetch: options.prefetch ?? this.#options.prefetch,
        ...(queue === undefined ? {} : { queue }),
        ...(options.handler === undefined ? {} : { handler: options.handler }),
        onClose: () => {
          this.bus.detach(subscription);
          this.#subscriptions.delete(subscription);
        },
      },
    );
    this.#subscriptions.add(subscription);
    if (queue === undefined) {
      this.bus.attach(subscription);
    } else {
      queue.bind(patterns);
      queue.addConsumer(subscription);
    }
    return subscription;
  }

  #decode(frame: MemoryFrame): Envelope | undefined {
    try {
      const envelope = decodeEnvelope(frame.bytes, { maxMessageBytes: this.#options.maxMessageBytes });
      this.#counters.received += 1;
      return envelope;
    } catch (error) {
      this.#drop(dropReasonOf(error), error as Error);
      return undefined;
    }
  }

  #drop(reason: DropReason, error: Error): void {
    this.#counters.dropped[reason] += 1;
    this.#logger.warn({ reason, err: error }, 'dropped a message');
    this.#status.publish({ type: 'dropped', reason, error });
  }

  status(): AsyncIterable<TransportStatus> {
    return this.#status.subscribe();
  }

  counters(): TransportCounters {
    return this.#counters.snapshot();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
      this.#status.publish({ type: 'closed' });
      this.#status.close();
    })();
    return this.#closing;
  }
}

