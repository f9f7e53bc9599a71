import { randomBytes } from 'node:crypto';
import {
  AsyncQueue,
  TransportError,
  compilePatterns,
  literalPrefix,
  type Delivery,
  type DeliveryHandler,
  type DropReason,
  type Logger,
  type Subscription,
  type TopicMatcher,
  type TransportStatus,
  type ZeroMqConfig,
} from '@statbus/core';
import { Subscriber } from 'zeromq';
import { GapTracker, type SeqHole } from './gap-tracker.js';
import { classifyFrames } from './inbound-frames.js';
import { waitUntilReady } from './readiness.js';
import { SocketMonitor, type MonitorSink } from './socket-monitor.js';
import { commonSocketOptions, subscribeAddresses } from './socket-options.js';
import { probeTopic } from './wire-frames.js';
import { ZeroMqDelivery, type Settlement } from './zeromq-delivery.js';

/** Where a subscription reports what it saw; the transport counts, logs and broadcasts it. */
export interface SubscriptionSink extends MonitorSink {
  received(): void;
  dropped(reason: DropReason, error: Error): void;
  gap(gap: Extract<TransportStatus, { type: 'gap' }>): void;
}

/** What a {@link ZeroMqSubscription} is made of. */
export interface ZeroMqSubscriptionInit {
  readonly patterns: readonly string[];
  readonly config: ZeroMqConfig;
  readonly maxMessageBytes: number;
  readonly prefetch?: number;
  readonly queue?: string;
  readonly handler?: DeliveryHandler;
  readonly sink: SubscriptionSink;
  readonly logger: Logger;
}

function everyTopic(pattern: string): boolean {
  return pattern.split('.').every((word) => word === '#');
}

/**
 * One subscription: its own SUB socket connected to every endpoint and the relay, subscribed to the
 * literal prefix of each pattern; exact matching happens here. Reading stops while `prefetch`
 * deliveries are unsettled, so a slow consumer makes ZeroMQ drop at its high-water marks, and the
 * drops are reported as gaps.
 */
export class ZeroMqSubscription implements Subscription {
  readonly patterns: readonly string[];
  readonly closed: Promise<void>;
  readonly #init: ZeroMqSubscriptionInit;
  readonly #matcher: TopicMatcher;
  readonly #receivesAll: boolean;
  readonly #prefetch: number;
  readonly #queue = new AsyncQueue<ZeroMqDelivery>();
  readonly #tracker = new GapTracker();
  readonly #probeId = randomBytes(8).toString('hex');
  readonly #probe: Buffer;
  readonly #replies = new Set<string>();
  readonly #replyListeners = new Set<() => void>();
  readonly #log: Logger;
  #socket: Subscriber | undefined;
  #inFlight = 0;
  #slotFree: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #handlerDone: Promise<void> = Promise.resolve();
  #resolveClosed!: () => void;

  constructor(init: ZeroMqSubscriptionInit) {
    this.#init = init;
    this.patterns = [...init.patterns];
    this.#matcher = compilePatterns(this.patterns);
    this.#receivesAll = this.patterns.some(everyTopic);
    this.#prefetch = init.prefetch ?? init.config.prefetch;
    this.#probe = probeTopic(this.#probeId);
    this.#log = init.logger.child({ subscription: this.#probeId, ...(init.queue !== undefined && { queue: init.queue }) });
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /**
   * Connects and waits until the subscription is live at every reachable publisher and relay, or
   * `ready_timeout_ms` passed (then it logs which were not confirmed and resolves anyway).
   *
   * @throws {TransportError} `ERR_SUBSCRIBE` when an address cannot be connected to.
   */
  async start(): Promise<void> {
    const { config } = this.#init;
    const addresses = subscribeAddresses(config);
    const socket = new Subscriber({ receiveHighWaterMark: config.receive_hwm, ...commonSocketOptions(config) });
    this.#socket = socket;
    const monitor = new SocketMonitor(socket, this.#init.sink, addresses);
    const prefixes = new Set(this.patterns.map(literalPrefix));
    socket.subscribe(...(prefixes.has('') ? [''] : prefixes));
    socket.subscribe(this.#probe);
    for (const address of addresses) {
      try {
        socket.connect(address);
      } catch (error) {
        socket.close();
        throw new TransportError('ERR_SUBSCRIBE', `Cannot connect to ${address}`, { address, cause: error });
      }
    }
    void this.#read(socket);
    if (this.#init.handler !== undefined) this.#handlerDone = this.#runHandler(this.#init.handler);
    const started = Date.now();
    const readiness = await waitUntilReady(monitor, () => this.#replies.size, (listener) => this.#onReply(listener), config.ready_timeout_ms);
    if (!socket.closed) socket.unsubscribe(this.#probe);
    const fields = { patterns: this.patterns, addresses, ...readiness, ms: Date.now() - started };
    if (readiness.ready) this.#log.debug(fields, 'subscription live');
    else this.#log.warn(fields, 'subscription not confirmed by every connected publisher within ready_timeout_ms');
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery> {
    return this.#queue[Symbol.asyncIterator]();
  }

  /** Stops reading, drops what was buffered and not handed out, waits for a running handler; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  #onReply(listener: () => void): () => void {
    this.#replyListeners.add(listener);
    return () => this.#replyListeners.delete(listener);
  }

  async #read(socket: Subscriber): Promise<void> {
    try {
      while (this.#closing === undefined) {
        if (this.#inFlight >= this.#prefetch) {
          await new Promise<void>((resolve) => {
            this.#slotFree = resolve;
          });
          continue;
        }
        this.#handle(await socket.receive());
      }
    } catch (error) {
      if (!socket.closed) {
        this.#log.error({ err: error }, 'subscription stopped reading');
        this.#init.sink.status({ type: 'error', error: new TransportError('ERR_SUBSCRIBE', 'ZeroMQ subscriber failed', { cause: error }) });
        void this.close();
      }
    }
  }

  #handle(frames: Buffer[]): void {
    const { sink } = this.#init;
    const message = classifyFrames(frames, this.#matcher, this.#init.maxMessageBytes);
    switch (message.kind) {
      case 'control':
        if (message.frames[0]?.equals(this.#probe) === true) {
          this.#replies.add(message.frames[1]?.toString('latin1') ?? '');
          for (const listener of this.#replyListeners) listener();
        }
        return;
      case 'unmatched':
        return;
      case 'beat': {
        const hole = this.#tracker.observeBeat(message.topic, message.beat);
        if (hole !== undefined) this.#reportHole(hole, hole.producer ?? 'unknown', hole.instance ?? message.beat.publisher);
        return;
      }
      case 'dropped':
        if (message.position !== undefined && message.topic !== undefined) {
          this.#reportHole(this.#tracker.observeStream(message.topic, message.position), 'unknown', message.position.publisher);
        }
        this.#log.warn({ reason: message.reason, topic: message.topic, err: message.error }, 'dropped a received message');
        sink.dropped(message.reason, message.error);
        return;
      case 'message': {
        const { envelope, position } = message;
        const hole =
          position !== undefined
            ? this.#tracker.observeStream(message.topic, position, envelope.producer.name, envelope.producer.instance)
            : this.#receivesAll && message.unnumbered !== true
              ? this.#tracker.observeInstance(envelope.producer.instance, envelope.seq)
              : undefined;
        this.#reportHole(hole, envelope.producer.name, envelope.producer.instance);
        sink.received();
        this.#inFlight += 1;
        this.#push(new ZeroMqDelivery(envelope, 1, this));
        return;
      }
    }
  }

  #reportHole(hole: SeqHole | undefined, producer: string, instance: string): void {
    if (hole === undefined) return;
    const { from, to, missed } = hole;
    this.#log.warn({ producer, instance, from, to, missed }, 'messages lost');
    this.#init.sink.gap({ type: 'gap', producer, instance, from, to, missed });
  }

  #push(delivery: ZeroMqDelivery): void {
    if (this.#queue.push(delivery)) return;
    this.#inFlight -= 1;
    // The consumer stopped iterating: nothing will take deliveries any more.
    void this.close();
  }

  /** Called by a delivery when it is settled. */
  settle(delivery: ZeroMqDelivery, settlement: Settlement): void {
    const maxDeliveries = this.#init.config.max_deliveries;
    if (settlement.kind === 'nack') {
      if (settlement.requeue && delivery.deliveryCount < maxDeliveries && this.#closing === undefined) {
        this.#push(new ZeroMqDelivery(delivery.envelope, delivery.deliveryCount + 1, this));
        return;
      }
      const why = settlement.requeue ? `after ${delivery.deliveryCount} deliveries` : 'without requeue';
      const error = new Error(`message ${delivery.envelope.id} on ${delivery.envelope.topic} rejected ${why}`);
      this.#log.warn({ id: delivery.envelope.id, topic: delivery.envelope.topic, deliveryCount: delivery.deliveryCount }, error.message);
      this.#init.sink.dropped('rejected', error);
    }
    this.#inFlight -= 1;
    const wake = this.#slotFree;
    this.#slotFree = undefined;
    wake?.();
  }

  async #runHandler(handler: DeliveryHandler): Promise<void> {
    for await (const delivery of this.#queue) {
      try {
        await handler(delivery);
        await delivery.ack();
      } catch (error) {
        this.#log.warn({ id: delivery.envelope.id, err: error }, 'handler failed; message nacked');
        await delivery.nack();
      }
    }
  }

  async #shutdown(): Promise<void> {
    this.#socket?.close();
    const left = this.#queue.drain();
    this.#queue.end();
    if (left.length > 0) this.#log.debug({ count: left.length }, 'closed with deliveries not handed out');
    this.#inFlight -= left.length;
    this.#slotFree?.();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#init.config.ready_timeout_ms);
    });
    await Promise.race([this.#handlerDone, timeout]);
    clearTimeout(timer);
    this.#resolveClosed();
  }
}
