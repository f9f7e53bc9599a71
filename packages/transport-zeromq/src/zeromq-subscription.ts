import { randomBytes } from 'node:crypto';
import {
  AsyncQueue,
  CodecError,
  TransportError,
  compilePatterns,
  literalPrefix,
  type Delivery,
  type DeliveryHandler,
  type DropReason,
  type Envelope,
  type Logger,
  type Subscription,
  type TopicMatcher,
  type TransportStatus,
  type ZeroMqConfig,
} from '@statbus/core';
import { Subscriber } from 'zeromq';
import { GapTracker, type SeqHole } from './gap-tracker.js';
import { batchHead, isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { cachedMatcher } from './cached-matcher.js';
import { classifyFrame, classifyFrames, type InboundMessage } from './inbound-frames.js';
import type { CurveClientOptions } from './curve-options.js';
import type { ReplayClient } from './replay-endpoint.js';
import { waitUntilReady } from './readiness.js';
import { SocketMonitor, type MonitorSink } from './socket-monitor.js';
import { batchHighWaterMark, commonSocketOptions, subscribeAddresses } from './socket-options.js';
import { decodeMessageFrame, probeTopic } from './wire-frames.js';
import { ZeroMqDelivery, type Settlement } from './zeromq-delivery.js';

/** Where a subscription reports what it saw; the transport counts, logs and broadcasts it. */
export interface SubscriptionSink extends MonitorSink {
  received(): void;
  /** Messages of a gap found again at a replay endpoint and delivered (marked replayed). */
  refilled(count: number): void;
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
  /** Where gaps are asked for, in order (the relay's replay endpoint first); none: gaps are only reported. */
  readonly replay?: readonly ReplayClient[];
  /** CURVE client options (`[zeromq.curve]`), if any. */
  readonly curve?: CurveClientOptions;
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
  /** Once reading stopped at `prefetch` unsettled deliveries, it resumes when no more than this many are. */
  readonly #resumeAt: number;
  readonly #queue = new AsyncQueue<ZeroMqDelivery>();
  readonly #tracker = new GapTracker();
  readonly #probeId = randomBytes(8).toString('hex');
  readonly #probe: Buffer;
  readonly #replies = new Set<string>();
  readonly #replyListeners = new Set<() => void>();
  readonly #log: Logger;
  #socket: Subscriber | undefined;
  /** The messages of the batch being delivered, and the next one's index: read one by one, within `prefetch`. */
  #batch: Buffer[] = [];
  #batchNext = 0;
  #inFlight = 0;
  #slotFree: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #handlerDone: Promise<void> = Promise.resolve();
  #resolveClosed!: () => void;

  constructor(init: ZeroMqSubscriptionInit) {
    this.#init = init;
    this.patterns = [...init.patterns];
    this.#matcher = cachedMatcher(compilePatterns(this.patterns));
    this.#receivesAll = this.patterns.some(everyTopic);
    this.#prefetch = init.prefetch ?? init.config.prefetch;
    // Half the window: each wake-up of the read loop then refills many slots, rather than one per settlement.
    this.#resumeAt = Math.floor(this.#prefetch / 2);
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
    const socket = new Subscriber({ receiveHighWaterMark: batchHighWaterMark(config.receive_hwm, config), ...commonSocketOptions(config), ...this.#init.curve });
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
        const recovering = this.#batchNext < this.#batch.length ? this.#handleBatched() : this.#handle(await socket.receive());
        // Only after a gap: the missing messages are fetched and delivered before anything read later.
        if (recovering !== undefined) await recovering;
      }
    } catch (error) {
      if (!socket.closed) {
        this.#log.error({ err: error }, 'subscription stopped reading');
        this.#init.sink.status({ type: 'error', error: new TransportError('ERR_SUBSCRIBE', 'ZeroMQ subscriber failed', { cause: error }) });
        void this.close();
      }
    }
  }

  /**
   * Handles one received ZeroMQ message; a promise only when a gap is being refilled first. A batch is
   * only split here: its messages are handled one at a time by the read loop, as prefetch allows.
   */
  #handle(frames: Buffer[]): Promise<void> | undefined {
    const [first] = frames;
    if (frames.length === 1 && first !== undefined && isBatchFrame(first)) {
      const batch = splitBatchFrame(first);
      if (batch instanceof CodecError) {
        this.#dropped({ kind: 'dropped', reason: 'malformed', error: batch, topic: batchHead(first) });
        return undefined;
      }
      this.#batch = batch;
      this.#batchNext = 0;
      return undefined;
    }
    return this.#handleMessage(classifyFrames(frames, this.#matcher, this.#init.maxMessageBytes));
  }

  /** Handles the next message of the batch being read. */
  #handleBatched(): Promise<void> | undefined {
    const frame = this.#batch[this.#batchNext] as Buffer;
    this.#batchNext += 1;
    if (this.#batchNext === this.#batch.length) {
      this.#batch = [];
      this.#batchNext = 0;
    }
    return this.#handleMessage(classifyFrame(frame, this.#matcher, this.#init.maxMessageBytes));
  }

  #handleMessage(message: InboundMessage): Promise<void> | undefined {
    switch (message.kind) {
      case 'control':
        if (message.frames[0]?.equals(this.#probe) === true) {
          this.#replies.add(message.frames[1]?.toString('latin1') ?? '');
          for (const listener of this.#replyListeners) listener();
        }
        return undefined;
      case 'unmatched':
        return undefined;
      case 'beat': {
        const hole = this.#tracker.observeBeat(message.topic, message.beat);
        if (hole === undefined) return undefined;
        return this.#gap(message.topic, message.beat.publisher, hole, hole.producer ?? 'unknown', hole.instance ?? message.beat.publisher);
      }
      case 'dropped': {
        const gap =
          message.position !== undefined && message.topic !== undefined
            ? this.#gap(message.topic, message.position.publisher, this.#tracker.observeStream(message.topic, message.position), 'unknown', message.position.publisher)
            : undefined;
        this.#dropped(message);
        return gap;
      }
      case 'message': {
        const { envelope, position } = message;
        const hole =
          position !== undefined
            ? this.#tracker.observeStream(message.topic, position, envelope.producer.name, envelope.producer.instance)
            : this.#receivesAll && message.unnumbered !== true
              ? this.#tracker.observeInstance(envelope.producer.instance, envelope.seq)
              : undefined;
        const gap = this.#gap(message.topic, position?.publisher, hole, envelope.producer.name, envelope.producer.instance);
        if (gap === undefined) {
          this.#deliver(envelope, false);
          return undefined;
        }
        return gap.then(() => this.#deliver(envelope, false));
      }
    }
  }

  #deliver(envelope: Envelope, replayed: boolean): void {
    this.#init.sink.received();
    this.#inFlight += 1;
    this.#push(new ZeroMqDelivery(envelope, 1, this, replayed));
  }

  #dropped(message: Extract<InboundMessage, { kind: 'dropped' }>): void {
    this.#log.warn({ reason: message.reason, topic: message.topic, err: message.error }, 'dropped a received message');
    this.#init.sink.dropped(message.reason, message.error);
  }

  /**
   * A hole in a stream: refilled from the replay endpoints when its positions are known and there are
   * any (a promise), else reported at once.
   */
  #gap(topic: string, publisher: string | undefined, hole: SeqHole | undefined, producer: string, instance: string): Promise<void> | undefined {
    if (hole === undefined) return undefined;
    const replay = this.#init.replay ?? [];
    if (hole.positions === undefined || publisher === undefined || replay.length === 0) {
      this.#reportHole(hole, producer, instance);
      return undefined;
    }
    return this.#refill(replay, topic, publisher, hole, hole.positions, producer, instance).catch((error: unknown) => {
      this.#log.error({ err: error, topic, publisher }, 'could not refill a gap');
      this.#reportHole(hole, producer, instance);
    });
  }

  /**
   * Asks each replay endpoint in turn for the missing positions, delivers what was found in order (marked
   * replayed), and reports each run of positions found nowhere as a gap with its exact `seq` range.
   */
  async #refill(replay: readonly ReplayClient[], topic: string, publisher: string, hole: SeqHole, positions: NonNullable<SeqHole['positions']>, producer: string, instance: string): Promise<void> {
    const found = new Map<number, Buffer>();
    const wanted = positions.to - positions.from + 1;
    for (const client of replay) {
      if (found.size === wanted || this.#closing !== undefined) break;
      const frames = await client.fetch(publisher, topic, positions.from, positions.to);
      for (const frame of frames ?? []) {
        const n = decodeMessageFrame(frame)?.position.n;
        if (n !== undefined && n >= positions.from && n <= positions.to) found.set(n, frame);
      }
    }
    let lastSeq = hole.from - 1;
    let lostFrom = 0;
    let lost = 0;
    let refilled = 0;
    const reportLost = (toSeq: number): void => {
      if (lost === 0) return;
      this.#reportHole({ from: lostFrom, to: Math.max(toSeq, lostFrom), missed: lost }, producer, instance);
      lost = 0;
    };
    for (let n = positions.from; n <= positions.to; n += 1) {
      const frame = found.get(n);
      if (frame === undefined) {
        if (lost === 0) lostFrom = lastSeq + 1;
        lost += 1;
        continue;
      }
      const message = classifyFrames([frame], this.#matcher, this.#init.maxMessageBytes);
      const position = message.kind === 'message' || message.kind === 'dropped' ? message.position : undefined;
      reportLost(position === undefined ? lastSeq : position.prevSeq);
      if (position !== undefined) lastSeq = position.seq;
      if (message.kind === 'message') {
        refilled += 1;
        this.#deliver(message.envelope, true);
      } else if (message.kind === 'dropped') {
        this.#dropped(message);
      }
    }
    reportLost(hole.to);
    if (refilled > 0) {
      this.#init.sink.refilled(refilled);
      this.#log.info({ producer, instance, topic, refilled, of: wanted }, 'gap refilled from a replay endpoint');
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
        this.#push(new ZeroMqDelivery(delivery.envelope, delivery.deliveryCount + 1, this, delivery.replayed));
        return;
      }
      const why = settlement.requeue ? `after ${delivery.deliveryCount} deliveries` : 'without requeue';
      const error = new Error(`message ${delivery.envelope.id} on ${delivery.envelope.topic} rejected ${why}`);
      this.#log.warn({ id: delivery.envelope.id, topic: delivery.envelope.topic, deliveryCount: delivery.deliveryCount }, error.message);
      this.#init.sink.dropped('rejected', error);
    }
    this.#inFlight -= 1;
    if (this.#inFlight > this.#resumeAt) return;
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
    for (const client of this.#init.replay ?? []) client.close();
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
