import {
  TransportError,
  encodeEnvelope,
  type AmqpConfig,
  type Envelope,
  type Logger,
  type TransportCounterSet,
  type TransportStatus,
} from '@statbus/core';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { isBrokerExchange, publishOptions } from './amqp-arguments.js';
import type { AmqpSession, SessionParticipant } from './amqp-session.js';
import { abortableDelay, backoffDelay } from './backoff.js';
import { ConfirmWindow } from './confirm-window.js';
import { encodeFedoraMessaging } from './fedora-messaging-format.js';

/** amqplib's error for a broker nack, as opposed to `channel closed` (no answer: send again). */
const NACK_MESSAGE = 'message nacked';

interface PendingPublish {
  readonly routingKey: string;
  readonly bytes: Buffer;
  readonly options: Options.Publish;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/** The part of a connection the publisher uses. */
export type ConfirmChannelSource = Pick<ChannelModel, 'createConfirmChannel'>;

/** The part of the session the publisher uses. */
export type PublisherSession = Pick<AmqpSession, 'address' | 'model' | 'signal'>;

/** What the publisher needs from its transport. */
export interface PublisherOptions {
  readonly amqp: AmqpConfig;
  readonly maxMessageBytes: number;
  readonly session: PublisherSession;
  readonly counters: TransportCounterSet;
  readonly logger: Logger;
  readonly report: (status: TransportStatus) => void;
}

/**
 * Publishes over one confirm channel with up to `confirm_window` messages awaiting their confirm. A
 * publish resolves on the broker's ack, on whichever connection it came; messages not confirmed when a
 * channel is lost are sent again, in their order, on the next one (at-least-once). When amqplib's
 * buffer is full (`publish()` returned false) sending pauses until `drain`. The channel also declares
 * the exchange.
 */
export class AmqpPublisher implements SessionParticipant {
  readonly #amqp: AmqpConfig;
  readonly #maxMessageBytes: number;
  readonly #session: PublisherSession;
  readonly #counters: TransportCounterSet;
  readonly #logger: Logger;
  readonly #report: (status: TransportStatus) => void;
  readonly #window: ConfirmWindow<PendingPublish>;
  #channel: ConfirmChannel | undefined;
  #paused = false;
  #closed = false;
  #retries = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: PublisherOptions) {
    this.#amqp = options.amqp;
    this.#maxMessageBytes = options.maxMessageBytes;
    this.#session = options.session;
    this.#counters = options.counters;
    this.#logger = options.logger;
    this.#report = options.report;
    this.#window = new ConfirmWindow(options.amqp.confirm_window);
  }

  /** Unconfirmed publishes (sent or waiting). */
  get pending(): number {
    return this.#window.inFlight + this.#window.waiting;
  }

  /**
   * Opens the confirm channel on `model` and declares the exchange (durable topic, unless it is an
   * `amq.*` one). Rejects when that fails.
   */
  async setup(model: ConfirmChannelSource): Promise<void> {
    const channel = await model.createConfirmChannel();
    // Only a channel the broker closes with a reason emits 'error'; one closed with its connection does not.
    let brokerError: Error | undefined;
    channel.on('error', (error: Error) => {
      brokerError = error;
    });
    channel.on('close', () => this.#channelLost(channel, model, brokerError));
    channel.on('drain', () => {
      if (channel !== this.#channel) return;
      this.#paused = false;
      this.#pump();
    });
    if (!isBrokerExchange(this.#amqp.exchange)) await channel.assertExchange(this.#amqp.exchange, 'topic', { durable: true });
    if (this.#closed) {
      await channel.close().catch(() => undefined);
      return;
    }
    this.#channel = channel;
    this.#paused = false;
    this.#retries = 0;
    this.#pump();
  }

  async attach(model: ConfirmChannelSource): Promise<void> {
    try {
      await this.setup(model);
    } catch (error) {
      if (this.#session.model !== model) return;
      this.#report({ type: 'error', error: asError(error) });
      this.#logger.error({ err: error }, 'cannot open the AMQP publish channel; retrying');
      void this.#retry(model);
    }
  }

  /**
   * Publishes `envelope` to the exchange with its topic as routing key.
   *
   * @returns a promise that resolves when the broker confirmed the message.
   * @throws {CodecError} when the encoded envelope is over `maxMessageBytes` (as a rejection).
   * @throws {TransportError} `ERR_PUBLISH` when the broker nacked it; `ERR_CLOSED` after {@link close}.
   */
  publish(envelope: Envelope): Promise<void> {
    if (this.#closed) return Promise.reject(new TransportError('ERR_CLOSED', 'Cannot publish: the transport is closed', { address: this.#session.address }));
    let bytes: Buffer;
    let options: Options.Publish;
    try {
      if (this.#amqp.wire_format === 'fedora-messaging') {
        ({ bytes, options } = encodeFedoraMessaging(envelope, { persistent: this.#amqp.persistent, maxMessageBytes: this.#maxMessageBytes }));
      } else {
        bytes = encodeEnvelope(envelope, { maxMessageBytes: this.#maxMessageBytes });
        options = publishOptions(envelope, this.#amqp.persistent);
      }
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return new Promise<void>((resolve, reject) => {
      this.#window.enqueue({ routingKey: envelope.topic, bytes, options, resolve, reject, settled: false });
      this.#pump();
    });
  }

  /**
   * Refuses new publishes and waits (up to `timeoutMs`) for the pending ones to be confirmed; those still
   * unconfirmed then reject with `ERR_CLOSED`. Then closes the channel. Idempotent.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    if (!this.#window.idle) {
      const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([idle, timeout]);
      clearTimeout(timer);
    }
    const abandoned = this.#window.takeAll();
    for (const entry of abandoned) {
      entry.settled = true;
      entry.reject(new TransportError('ERR_CLOSED', 'The transport closed before the broker confirmed this message', { address: this.#session.address }));
    }
    const channel = this.#channel;
    this.#channel = undefined;
    if (channel !== undefined) await channel.close().catch(() => undefined);
  }

  /** Rejects every pending publish with `error` (the first connection failed: nothing will send them). */
  abandon(error: Error): void {
    for (const entry of this.#window.takeAll()) {
      entry.settled = true;
      entry.reject(error);
    }
  }

  #pump(): void {
    const channel = this.#channel;
    if (channel === undefined) return;
    while (!this.#paused) {
      const entry = this.#window.next();
      if (entry === undefined) return;
      let flowing: boolean;
      try {
        flowing = channel.publish(this.#amqp.exchange, entry.routingKey, entry.bytes, entry.options, (error: unknown) =>
          this.#confirmed(entry, error),
        );
      } catch (error) {
        // The channel is closing under us: the entry stays in flight and is sent again on the next one.
        this.#logger.debug({ err: error }, 'AMQP publish on a closing channel');
        this.#channelLost(channel, this.#session.model, undefined);
        return;
      }
      if (!flowing) this.#paused = true;
    }
  }

  #confirmed(entry: PendingPublish, error: unknown): void {
    if (entry.settled) return;
    if (error === null || error === undefined) {
      entry.settled = true;
      this.#window.settle(entry);
      this.#counters.published += 1;
      entry.resolve();
    } else if (error instanceof Error && error.message === NACK_MESSAGE) {
      entry.settled = true;
      this.#window.settle(entry);
      entry.reject(new TransportError('ERR_PUBLISH', `The broker refused the message (nack) for ${entry.routingKey}`, { address: this.#session.address }));
    } else {
      return;
    }
    this.#pump();
    if (this.#window.idle) this.#wakeIdle();
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters.splice(0);
    for (const waiter of waiters) waiter();
  }

  #channelLost(channel: ConfirmChannel, model: ConfirmChannelSource | undefined, brokerError: Error | undefined): void {
    if (channel !== this.#channel) return;
    this.#channel = undefined;
    this.#paused = false;
    this.#window.requeueInFlight();
    if (this.#closed || model === undefined || this.#session.model !== model) return;
    if (brokerError === undefined) {
      // Closed with its connection: the session reports the loss and sets the channel up again.
      this.#logger.debug('AMQP publish channel closed with its connection');
    } else {
      // The connection lives on but the broker closed the channel (a channel-level error): open another.
      this.#logger.warn({ reason: brokerError.message }, `AMQP publish channel closed by the broker (${brokerError.message}); reopening`);
    }
    void this.#retry(model);
  }

  async #retry(model: ConfirmChannelSource): Promise<void> {
    this.#retries += 1;
    const bounds = { initialMs: this.#amqp.reconnect_initial_ms, maxMs: this.#amqp.reconnect_max_ms };
    await abortableDelay(backoffDelay(this.#retries, bounds), this.#session.signal);
    if (this.#closed || this.#session.model !== model || this.#channel !== undefined) return;
    await this.attach(model);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
