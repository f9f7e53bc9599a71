import {
  Broadcaster,
  CONFIG,
  LOGGER,
  TopicError,
  TransportCounterSet,
  TransportError,
  validatePattern,
  type Envelope,
  type Logger,
  type StatbusConfig,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCounters,
  type TransportStatus,
} from '@statbus/core';
import { inject, injectable } from 'inversify';
import { AmqpPublisher } from './amqp-publisher.js';
import { AmqpSession } from './amqp-session.js';
import { AmqpSubscription, type SubscriptionContext } from './amqp-subscription.js';

/** Largest prefetch AMQP can express (a 16-bit count). */
const MAX_PREFETCH = 65_535;

/**
 * The RabbitMQ transport (AMQP 0-9-1 over amqplib): publishes to a topic exchange with publisher
 * confirms, consumes from private or named (shared, durable, dead-lettered) queues, and reconnects on
 * its own, resuming subscriptions and sending unconfirmed messages again. Configured by `[amqp]`.
 *
 * Build it with the whole config (`new AmqpTransport(config, logger)`) or from an Inversify container
 * with {@link amqpTransportModule}.
 */
@injectable()
export class AmqpTransport implements Transport {
  readonly kind = 'amqp';
  readonly #config: StatbusConfig;
  readonly #logger: Logger;
  readonly #counters = new TransportCounterSet();
  readonly #status = new Broadcaster<TransportStatus>();
  readonly #session: AmqpSession;
  readonly #publisher: AmqpPublisher;
  readonly #subscriptions = new Set<AmqpSubscription>();
  readonly #context: SubscriptionContext;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * @param config the validated configuration; `amqp` and `codec.max_message_bytes` are used.
   * @param logger where connection trouble and dropped messages are logged.
   */
  constructor(@inject(CONFIG) config: StatbusConfig, @inject(LOGGER) logger: Logger) {
    this.#config = config;
    this.#logger = logger.child({ transport: 'amqp' });
    const report = (status: TransportStatus): void => this.#status.publish(status);
    this.#session = new AmqpSession({
      amqp: config.amqp,
      logger: this.#logger,
      counters: this.#counters,
      report,
    });
    const shared = {
      amqp: config.amqp,
      maxMessageBytes: config.codec.max_message_bytes,
      session: this.#session,
      counters: this.#counters,
      logger: this.#logger,
      report,
    };
    this.#publisher = new AmqpPublisher(shared);
    this.#context = shared;
  }

  /**
   * Connects to the broker and declares the exchange. Idempotent.
   *
   * @returns a promise that resolves when publish and subscribe can be used.
   * @throws {TransportError} `ERR_CONNECTION` naming the address (password redacted) after
   *   `connect_attempts` failed tries, or for unreadable TLS files; `ERR_CLOSED` after {@link close}.
   */
  connect(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    this.#connecting ??= this.#session.connect((model) => this.#publisher.setup(model)).then(() => {
      this.#session.add(this.#publisher);
    });
    const connecting = this.#connecting;
    connecting.catch((error: unknown) => {
      if (this.#connecting !== connecting) return;
      this.#connecting = undefined;
      this.#publisher.abandon(error instanceof Error ? error : new Error(String(error)));
    });
    return connecting;
  }

  /**
   * Publishes `envelope` to the exchange, routing key = its topic, persistent when `persistent` is set.
   * Many publishes may be in flight (up to `confirm_window`); more wait for room. Survives reconnection:
   * a message not yet confirmed is sent again on the new connection (so it may arrive twice).
   *
   * @returns a promise that resolves when the broker confirmed the message.
   * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` over `codec.max_message_bytes`.
   * @throws {TransportError} `ERR_PUBLISH` when the broker refused it (nack); `ERR_CLOSED` after
   *   {@link close}, or when close gave up waiting for its confirm; `ERR_NOT_CONNECTED` before {@link connect};
   *   `ERR_CONNECTION` when the first connection, begun but not finished, fails.
   */
  publish(envelope: Envelope): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    if (this.#connecting === undefined) return Promise.reject(this.#notConnectedError());
    return this.#publisher.publish(envelope);
  }

  /**
   * Subscribes to `patterns` (AMQP topic patterns). With `options.queue`, consumes from that named
   * durable queue (shared by every subscriber that names it, dead-lettered after `max_deliveries`);
   * without, from a private queue of its own.
   *
   * @returns a promise of the live subscription: every message published after it resolves is delivered.
   * @throws {TopicError} for a malformed pattern or no pattern.
   * @throws {TransportError} `ERR_SUBSCRIBE` when the broker refused the queue or a binding (e.g. a
   *   queue of that name exists with other arguments) or `prefetch` is out of range; `ERR_CLOSED` after {@link close};
   *   `ERR_NOT_CONNECTED` before {@link connect}.
   */
  async subscribe(patterns: readonly string[], options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.#closing !== undefined) throw this.#closedError();
    if (patterns.length === 0) throw new TopicError('pattern', '', 'subscribe needs at least one pattern');
    for (const pattern of patterns) validatePattern(pattern);
    const prefetch = options.prefetch ?? this.#config.amqp.prefetch;
    if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > MAX_PREFETCH) {
      throw new TransportError('ERR_SUBSCRIBE', `prefetch must be an integer from 1 to ${MAX_PREFETCH}, got ${prefetch}`, { address: this.#session.address });
    }
    if (this.#connecting === undefined) throw this.#notConnectedError();
    await this.#connecting;
    const subscription = new AmqpSubscription(this.#context, [...new Set(patterns)], {
      prefetch,
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      ...(options.handler === undefined ? {} : { handler: options.handler }),
    });
    for (;;) {
      const model = await this.#session.ready();
      try {
        await subscription.setup(model);
        break;
      } catch (error) {
        if (this.#session.model === model || this.#closing !== undefined) {
          await subscription.close();
          if (error instanceof TransportError) throw error;
          throw new TransportError('ERR_SUBSCRIBE', `Cannot subscribe to ${patterns.join(', ')}: ${(error as Error).message}`, {
            address: this.#session.address,
            cause: error,
          });
        }
        // The connection dropped while subscribing: try again on the next one.
      }
    }
    this.#session.add(subscription);
    this.#subscriptions.add(subscription);
    void subscription.closed.then(() => this.#subscriptions.delete(subscription));
    return subscription;
  }

  /** A new iterable of status events from now on, ending after `closed`. */
  status(): AsyncIterable<TransportStatus> {
    return this.#status.subscribe();
  }

  /** A snapshot of the running totals. */
  counters(): TransportCounters {
    return this.#counters.snapshot();
  }

  /**
   * Waits (up to `close_timeout_ms`) for pending publishes to be confirmed (the rest reject with
   * `ERR_CLOSED`), closes every subscription, then the channel and the connection, and reports `closed`.
   * Idempotent: every call resolves when the first one finished. Never rejects.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#publisher.close(this.#config.amqp.close_timeout_ms);
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#session.close();
    this.#status.publish({ type: 'closed' });
    this.#status.close();
  }

  #closedError(): TransportError {
    return new TransportError('ERR_CLOSED', 'The AMQP transport is closed', { address: this.#session.address });
  }

  #notConnectedError(): TransportError {
    return new TransportError('ERR_NOT_CONNECTED', 'The AMQP transport is not connected: call connect() first', { address: this.#session.address });
  }
}
