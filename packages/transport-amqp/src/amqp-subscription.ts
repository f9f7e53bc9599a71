import {
  AsyncQueue,
  dropReasonOf,
  type AmqpConfig,
  type Delivery,
  type DeliveryHandler,
  type Envelope,
  type Logger,
  type Subscription,
  type TransportCounterSet,
  type TransportStatus,
} from '@statbus/core';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  EXCLUSIVE_QUEUE_OPTIONS,
  deadLetterQueueOptions,
  namedQueueOptions,
  quorumDeliveryCount,
} from './amqp-arguments.js';
import { AckBatcher } from './ack-batcher.js';
import { AmqpDelivery, type DeliverySettler, type Settlement } from './amqp-delivery.js';
import type { AmqpSession, SessionParticipant } from './amqp-session.js';
import { abortableDelay } from './backoff.js';
import { DeliveryTracker } from './delivery-tracker.js';
import { decodeAmqpMessage } from './decode-amqp-message.js';

/** What a subscription needs from its transport. */
export interface SubscriptionContext {
  readonly amqp: AmqpConfig;
  readonly maxMessageBytes: number;
  readonly session: AmqpSession;
  readonly counters: TransportCounterSet;
  readonly logger: Logger;
  readonly report: (status: TransportStatus) => void;
}

/** How one subscription consumes. */
export interface AmqpSubscriptionOptions {
  readonly queue?: string;
  readonly prefetch: number;
  readonly handler?: DeliveryHandler;
}

/**
 * A consumer on its own channel: a named durable queue shared by competing consumers (with dead-lettering
 * and a delivery limit) or a private server-named queue, bound to every pattern. It survives
 * reconnection: the session sets it up again on the new connection and the same object keeps yielding.
 * Messages that cannot be decoded are rejected without requeue (to the dead-letter queue when there is
 * one), counted and reported, and consumption goes on.
 */
export class AmqpSubscription implements Subscription, SessionParticipant, DeliverySettler {
  readonly patterns: readonly string[];
  readonly closed: Promise<void>;
  /** The queue consumed from: the name given, or the server-named queue of the current connection. */
  queueName: string | undefined;
  readonly #context: SubscriptionContext;
  readonly #options: AmqpSubscriptionOptions;
  readonly #deliveries = new AsyncQueue<AmqpDelivery>();
  readonly #unsettled = new Set<AmqpDelivery>();
  readonly #tracker: DeliveryTracker | undefined;
  #channel: Channel | undefined;
  #acks: AckBatcher<ConsumeMessage> | undefined;
  #consumerTag: string | undefined;
  #closing: Promise<void> | undefined;
  #settledWaiter: (() => void) | undefined;
  #resolveClosed!: () => void;

  constructor(context: SubscriptionContext, patterns: readonly string[], options: AmqpSubscriptionOptions) {
    this.#context = context;
    this.patterns = [...patterns];
    this.#options = options;
    const brokerCounts = options.queue !== undefined && context.amqp.queue_type === 'quorum';
    this.#tracker = brokerCounts ? undefined : new DeliveryTracker();
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    if (options.handler !== undefined) void this.#run(options.handler);
  }

  /**
   * Declares the queue (and the dead-letter exchange and queue for a named one), binds the patterns and
   * starts consuming on a new channel of `model`. Rejects when the broker refuses any of it.
   */
  async setup(model: ChannelModel): Promise<void> {
    const { amqp } = this.#context;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.#context.logger.warn({ reason: error.message, queue: this.queueName }, `AMQP consumer channel closed by the broker (${error.message})`));
    channel.on('close', () => this.#channelLost(channel, model));
    try {
      await channel.prefetch(this.#options.prefetch);
      let queue: string;
      if (this.#options.queue === undefined) {
        queue = (await channel.assertQueue('', EXCLUSIVE_QUEUE_OPTIONS)).queue;
      } else {
        await channel.assertExchange(amqp.dead_letter_exchange, 'topic', { durable: true });
        await channel.assertQueue(amqp.dead_letter_queue, deadLetterQueueOptions(amqp));
        await channel.bindQueue(amqp.dead_letter_queue, amqp.dead_letter_exchange, '#');
        queue = (await channel.assertQueue(this.#options.queue, namedQueueOptions(amqp))).queue;
      }
      await Promise.all(this.patterns.map((pattern) => channel.bindQueue(queue, amqp.exchange, pattern)));
      if (this.#closing !== undefined) throw new Error('subscription closed while it was being set up');
      this.queueName = queue;
      this.#channel = channel;
      this.#acks = new AckBatcher({
        ack: (message: ConsumeMessage, allUpTo?: boolean) => {
          try {
            channel.ack(message, allUpTo);
          } catch (error) {
            // The channel is closing: the broker will deliver the message again.
            this.#context.logger.debug({ err: error, queue }, 'acking on a closing AMQP channel');
          }
        },
      });
      this.#consumerTag = (await channel.consume(queue, (message) => this.#onMessage(channel, message), { noAck: false })).consumerTag;
    } catch (error) {
      if (this.#channel === channel) {
        this.#channel = undefined;
        this.#acks = undefined;
      }
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  async attach(model: ChannelModel): Promise<void> {
    if (this.#closing !== undefined) return;
    try {
      await this.setup(model);
    } catch (error) {
      if (this.#context.session.model !== model || this.#closing !== undefined) return;
      this.#context.logger.error({ err: error, queue: this.#options.queue }, 'cannot resume the AMQP subscription; ending it');
      this.#context.report({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      void this.close();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery> {
    if (this.#options.handler !== undefined) throw new Error('This subscription has a handler: it cannot be iterated');
    const iterator = this.#deliveries[Symbol.asyncIterator]();
    return {
      next: () => iterator.next(),
      return: () => {
        void this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  settle(delivery: AmqpDelivery, settlement: Settlement): void {
    if (delivery.settled) return;
    delivery.settled = true;
    this.#unsettled.delete(delivery);
    if (this.#unsettled.size === 0) this.#settledWaiter?.();
    const id = delivery.envelope.id;
    let requeue = settlement.kind === 'nack' && settlement.requeue;
    if (requeue && this.#tracker !== undefined && delivery.deliveryCount >= this.#context.amqp.max_deliveries) {
      this.#context.logger.warn({ id, deliveries: delivery.deliveryCount, queue: this.queueName }, 'message failed max_deliveries times: rejecting it for good');
      requeue = false;
    }
    if (settlement.kind === 'ack' || !requeue) this.#tracker?.forget(id);
    if (settlement.kind === 'nack' && !requeue && this.#options.queue === undefined) {
      this.#context.counters.dropped.rejected += 1;
      this.#context.report({ type: 'dropped', reason: 'rejected', error: new Error(`message ${id} was rejected and has no dead-letter queue`) });
    }
    if (delivery.channel !== this.#channel) return;
    if (settlement.kind === 'ack') {
      this.#acks?.ack(delivery.acking);
      return;
    }
    this.#acks?.settled(delivery.acking);
    try {
      delivery.channel.nack(delivery.message, false, requeue);
    } catch (error) {
      // The channel is closing: the broker will deliver the message again.
      this.#context.logger.debug({ err: error, id }, 'settling on a closing AMQP channel');
    }
  }

  /**
   * Cancels the consumer, gives back the deliveries not yet handed out, waits (up to `close_timeout_ms`)
   * for those handed out to be settled, then closes the channel and ends iteration. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const channel = this.#channel;
    const tag = this.#consumerTag;
    if (channel !== undefined && tag !== undefined) await channel.cancel(tag).catch(() => undefined);
    for (const delivery of this.#deliveries.drain()) this.settle(delivery, { kind: 'nack', requeue: true });
    this.#deliveries.end();
    if (this.#unsettled.size > 0 && this.#channel !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#settledWaiter = resolve;
        timer = setTimeout(resolve, this.#context.amqp.close_timeout_ms);
      });
      clearTimeout(timer);
    }
    this.#context.session.remove(this);
    this.#acks?.flush();
    this.#acks = undefined;
    const current = this.#channel;
    this.#channel = undefined;
    if (current !== undefined) await current.close().catch(() => undefined);
    this.#resolveClosed();
  }

  #onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      if (channel !== this.#channel || this.#closing !== undefined) return;
      this.#context.logger.warn({ queue: this.queueName }, 'the broker cancelled the AMQP consumer (queue deleted?); ending the subscription');
      this.#context.report({ type: 'error', error: new Error(`The broker cancelled the consumer of queue ${this.queueName ?? '?'}`) });
      void this.close();
      return;
    }
    const acks = this.#acks;
    // A message of a channel already replaced: the broker gives it again on the new one.
    if (channel !== this.#channel || acks === undefined) return;
    let envelope: Envelope;
    try {
      envelope = decodeAmqpMessage(message, this.#context.maxMessageBytes);
    } catch (error) {
      this.#drop(channel, message, error);
      return;
    }
    this.#context.counters.received += 1;
    const redelivered = message.fields.redelivered;
    const count =
      this.#tracker === undefined
        ? quorumDeliveryCount(message.properties.headers, redelivered)
        : this.#tracker.delivered(envelope.id, redelivered);
    const acking = acks.track(message);
    const delivery = new AmqpDelivery(this, channel, message, envelope, count, acking);
    this.#unsettled.add(delivery);
    if (!this.#deliveries.push(delivery)) this.settle(delivery, { kind: 'nack', requeue: true });
  }

  #drop(channel: Channel, message: ConsumeMessage, error: unknown): void {
    const reason = dropReasonOf(error);
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#context.counters.dropped[reason] += 1;
    this.#context.report({ type: 'dropped', reason, error: cause });
    this.#context.logger.warn(
      { err: cause, reason, queue: this.queueName, routingKey: message.fields.routingKey, size: message.content.length },
      'dropping an AMQP message that is not a valid envelope',
    );
    try {
      if (this.#options.queue === undefined) channel.reject(message, false);
      else this.#deadLetter(channel, message, reason, cause);
    } catch {
      // The channel is closing: the message comes back and is dropped then.
    }
  }

  /**
   * Dead-letters a message this subscriber cannot read with the reason named: a copy goes to the dead-letter
   * exchange with `x-statbus-drop-reason` (`malformed`, `invalid`, `too-large`), `x-statbus-drop-error` and
   * `x-statbus-queue` headers, then the message is acked, both on this channel, in that order. (A reject would
   * dead-letter it with RabbitMQ's reason `rejected` only.)
   */
  #deadLetter(channel: Channel, message: ConsumeMessage, reason: string, cause: Error): void {
    const { amqp } = this.#context;
    const headers = {
      ...message.properties.headers,
      'x-statbus-drop-reason': reason,
      'x-statbus-drop-error': cause.message.slice(0, 1_000),
      'x-statbus-queue': this.queueName ?? '',
    };
    // Not `userId` (the broker refuses one that is not this connection's user), `expiration` (the copy is kept) nor `clusterId`.
    const all: Record<string, unknown> = { ...message.properties };
    const { userId: _userId, expiration: _expiration, clusterId: _clusterId, ...kept } = all;
    const properties = Object.fromEntries(Object.entries(kept).filter(([, value]) => value !== undefined && value !== null));
    channel.publish(amqp.dead_letter_exchange, message.fields.routingKey, message.content, { ...properties, headers });
    channel.ack(message);
  }

  #channelLost(channel: Channel, model: ChannelModel): void {
    if (channel !== this.#channel) return;
    this.#channel = undefined;
    this.#acks = undefined;
    this.#consumerTag = undefined;
    // A shared queue gets back what this channel held unsettled: forget the copies not handed out yet.
    if (this.#options.queue !== undefined) {
      for (const delivery of this.#deliveries.drain()) {
        delivery.settled = true;
        this.#unsettled.delete(delivery);
      }
    }
    if (this.#unsettled.size === 0) this.#settledWaiter?.();
    if (this.#closing !== undefined || this.#context.session.model !== model) return;
    // The connection lives on but the channel died (a channel-level error): set up again.
    void abortableDelay(this.#context.amqp.reconnect_initial_ms, this.#context.session.signal).then(async () => {
      if (this.#channel === undefined && this.#context.session.model === model) await this.attach(model);
    });
  }

  async #run(handler: DeliveryHandler): Promise<void> {
    for await (const delivery of this.#deliveries) {
      try {
        await handler(delivery);
        await delivery.ack();
      } catch (error) {
        this.#context.logger.warn({ err: error, id: delivery.envelope.id }, 'subscription handler failed: nacking the message');
        await delivery.nack({ requeue: true });
      }
    }
  }
}
