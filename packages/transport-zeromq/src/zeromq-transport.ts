import { randomBytes } from 'node:crypto';
import {
  Broadcaster,
  CONFIG,
  LOGGER,
  TopicError,
  TransportCounterSet,
  TransportError,
  compilePatterns,
  encodeEnvelope,
  type CodecOptions,
  type DropReason,
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
import { XPublisher } from 'zeromq';
import { curveOptions, type CurveOptions } from './curve-options.js';
import { awaitRelayReceipt } from './relay-receipt.js';
import { ReplayClient, ReplayServer, type RecoveryCounters } from './replay-endpoint.js';
import type { ReplayWindow } from './replay-window.js';
import { SendQueue } from './send-queue.js';
import { DroppedWhenFull, relayWhenFull } from './when-full.js';
import { SocketMonitor } from './socket-monitor.js';
import { bindAddresses, commonSocketOptions, relayReplayAddress } from './socket-options.js';
import { StreamPositions } from './stream-positions.js';
import { encodeFedmsgFrames } from './fedmsg-frames.js';
import { SUBSCRIBE_BYTE, isProbeTopic } from './wire-frames.js';
import { ZeroMqSubscription, type SubscriptionSink } from './zeromq-subscription.js';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function delay(ms: number): { promise: Promise<'timeout'>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * The brokerless transport: fedmsg's ZeroMQ PUB/SUB, over tcp:// and ipc://.
 *
 * Publishing goes through one XPUB socket that binds the `bind` entries of `[zeromq]`, or, binding
 * nothing, connects to the relay's inbound side. Each subscription has its own SUB socket connected to
 * every endpoint and to the relay's outbound side. A message is one frame, `<topic> <stream position>
 * <envelope>`; the stream position numbers each topic's messages so that every loss is reported as a
 * `gap` (see README and `wire-frames.ts`). Every `stream_heartbeat_ms` the publisher also sends the last
 * position of each recently active topic, so that a lost tail of a stream is reported too.
 */
@injectable()
export class ZeroMqTransport implements Transport {
  readonly kind = 'zeromq';
  readonly #config: StatbusConfig;
  readonly #codec: CodecOptions;
  readonly #log: Logger;
  readonly #id = randomBytes(8).toString('hex');
  readonly #counters = new TransportCounterSet();
  readonly #status = new Broadcaster<TransportStatus>();
  readonly #positions = new StreamPositions(this.#id);
  readonly #subscriptions = new Set<ZeroMqSubscription>();
  readonly #sink: SubscriptionSink;
  #socket: XPublisher | undefined;
  #curve: CurveOptions | undefined;
  /** The last messages sent, kept to answer gap requests: only with an endpoint to answer them on (`replay_bind`). */
  #window: ReplayWindow | undefined;
  #replayServer: ReplayServer | undefined;
  #refilled = 0;
  #sendQueue: SendQueue | undefined;
  #canPublish = false;
  #viaRelay = false;
  #relayAttached: (() => void) | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #published = (): void => {
    this.#counters.published += 1;
  };
  /** Messages dropped at the high-water mark with `on_full = "drop"` (logged once, with the cause). */
  #droppedFull = 0;
  // Bound once rather than a closure per message; the ZeroMQ error (the cause) says what went wrong.
  readonly #refused = (error: unknown): void => {
    if (error instanceof DroppedWhenFull) {
      this.#droppedFull += 1;
      this.#counters.dropped.overflow += 1;
      if (this.#droppedFull === 1) {
        this.#log.warn({ err: error.cause, relay: this.#config.zeromq.relay_inbound }, 'dropping messages at the high-water mark towards the relay (on_full = "drop"); the count is logged at close');
        this.#status.publish({ type: 'dropped', reason: 'overflow', error });
      }
      return;
    }
    if (error instanceof TransportError) throw error;
    throw new TransportError('ERR_PUBLISH', 'ZeroMQ refused a message', { cause: error });
  };

  constructor(@inject(CONFIG) config: StatbusConfig, @inject(LOGGER) logger: Logger) {
    this.#config = config;
    this.#codec = { maxMessageBytes: config.codec.max_message_bytes };
    this.#log = logger.child({ component: 'transport-zeromq', publisher: this.#id });
    this.#sink = {
      status: (event) => this.#status.publish(event),
      reconnected: () => {
        this.#counters.reconnects += 1;
      },
      received: () => {
        this.#counters.received += 1;
      },
      refilled: (count: number) => {
        this.#refilled += count;
      },
      dropped: (reason: DropReason, error: Error) => {
        this.#counters.dropped[reason] += 1;
        this.#status.publish({ type: 'dropped', reason, error });
      },
      gap: (gap) => {
        this.#counters.gaps += 1;
        this.#counters.missed += gap.missed;
        this.#status.publish(gap);
      },
    };
  }

  /**
   * Binds the `bind` addresses, or connects to the relay and waits until the relay has subscribed
   * (so that the first messages are not lost to the slow-joiner effect). Idempotent.
   *
   * @throws {TransportError} `ERR_CONNECTION` naming the address that cannot be bound, or the relay
   *   that did not answer within `ready_timeout_ms`; `ERR_CLOSED` after `close()`.
   */
  connect(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    this.#connecting ??= this.#open().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    return this.#connecting;
  }

  /**
   * Queues one envelope on the publisher socket. Resolves when ZeroMQ queued it; messages of one caller
   * keep their order. Called while `connect()` is under way, it waits for it.
   *
   * @throws {CodecError} when the encoded envelope is over `codec.max_message_bytes`.
   * @throws {TransportError} `ERR_NOT_CONNECTED` before `connect()`; `ERR_CLOSED` after `close()`;
   *   `ERR_PUBLISH` when nothing is bound and no relay is used, or ZeroMQ refused the message;
   *   `ERR_CONNECTION` when the connection under way fails.
   */
  publish(envelope: Envelope): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    if (this.#connecting === undefined) return Promise.reject(this.#notConnectedError());
    if (this.#sendQueue === undefined) {
      // Still connecting: an envelope over the limit is refused now, as once connected.
      try {
        encodeEnvelope(envelope, this.#codec);
      } catch (error) {
        return Promise.reject(asError(error));
      }
      return this.#connecting.then(() => this.#enqueue(envelope));
    }
    return this.#enqueue(envelope);
  }

  /**
   * Subscribes with a new SUB socket. Resolves when the subscription is live: every reachable
   * publisher or relay confirmed it (or `ready_timeout_ms` passed, which is logged).
   * `options.queue` only labels the subscription: brokerless subscribers each get every message.
   *
   * @throws {TopicError} for a malformed pattern or no pattern; {@link TransportError} `ERR_NOT_CONNECTED`
   *   before `connect()`, `ERR_CLOSED` after `close()`, `ERR_SUBSCRIBE` for an address that cannot be connected to.
   */
  async subscribe(patterns: readonly string[], options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.#closing !== undefined) throw this.#closedError();
    if (patterns.length === 0) throw new TopicError('pattern', '', 'subscribe needs at least one pattern');
    compilePatterns(patterns);
    if (this.#connecting === undefined) throw this.#notConnectedError();
    const subscription = new ZeroMqSubscription({
      patterns,
      config: this.#config.zeromq,
      maxMessageBytes: this.#config.codec.max_message_bytes,
      ...(options.prefetch !== undefined && { prefetch: options.prefetch }),
      ...(options.queue !== undefined && { queue: options.queue }),
      ...(options.handler !== undefined && { handler: options.handler }),
      sink: this.#sink,
      logger: this.#log,
      replay: this.#replayClients(),
      curve: this.#curveOptions().client,
    });
    this.#subscriptions.add(subscription);
    void subscription.closed.then(() => this.#subscriptions.delete(subscription));
    try {
      await subscription.start();
    } catch (error) {
      await subscription.close();
      throw error instanceof TransportError || error instanceof TopicError
        ? error
        : new TransportError('ERR_SUBSCRIBE', 'ZeroMQ subscription failed', { cause: error });
    }
    if (this.#closing !== undefined) {
      await subscription.close();
      throw this.#closedError();
    }
    return subscription;
  }

  /** Status events from now on; the iterable ends after `closed`. */
  status(): AsyncIterable<TransportStatus> {
    return this.#status.subscribe();
  }

  counters(): TransportCounters {
    return this.#counters.snapshot();
  }

  /** How gaps were refilled or reported, and what this process's replay endpoint answered. */
  recovery(): RecoveryCounters {
    return {
      refilled: this.#refilled,
      lost: this.#counters.missed,
      requestsAnswered: this.#replayServer?.requests ?? 0,
      replayed: this.#replayServer?.replayed ?? 0,
    };
  }

  /** The address this publisher answers gap requests on (the last of `replay_bind`, real port), if any. */
  get replayAddress(): string | undefined {
    return this.#replayServer?.address;
  }

  /**
   * Waits for queued publishes (at most `linger_ms`, unless it is -1), closes every subscription, then
   * the publisher socket (ZeroMQ lingers `linger_ms` to flush it). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** One client per gap-request endpoint: the relay's first (it holds what every short-lived publisher sent), then `replay_endpoints`. */
  #replayClients(): ReplayClient[] {
    const config = this.#config.zeromq;
    const addresses = [...new Set([...(config.use_relay ? [relayReplayAddress(config)] : []), ...config.replay_endpoints])];
    const client = this.#curveOptions().client;
    return addresses.map((address) => new ReplayClient(address, client, config.replay_timeout_ms));
  }

  #curveOptions(): CurveOptions {
    this.#curve ??= curveOptions(this.#config.zeromq);
    return this.#curve;
  }

  /**
   * Before a publisher attached to the relay closes its socket: waits (until `deadline`) for the relay to hold the last
   * message of each recently active stream, since ZeroMQ discards what is still queued once it stops lingering and
   * the relay could then neither replay nor report that tail. What was not confirmed is logged as possibly lost.
   */
  async #awaitRelayReceipt(deadline: number): Promise<void> {
    const config = this.#config.zeromq;
    const sent = this.#positions.lastSent();
    if (!this.#viaRelay || sent.length === 0 || config.wire_format !== 'statbus' || config.replay_window === 0 || Date.now() >= deadline) return;
    const timeoutMs = Math.max(1, Math.min(config.replay_timeout_ms, deadline - Date.now()));
    const client = new ReplayClient(relayReplayAddress(config), this.#curveOptions().client, timeoutMs);
    try {
      const unconfirmed = await awaitRelayReceipt(client, this.#id, sent, deadline);
      if (unconfirmed.length > 0) {
        this.#log.warn({ relay: config.relay_inbound, streams: unconfirmed, lingerMs: config.linger_ms }, 'closing before the relay confirmed the last messages of these streams: their tail may be lost');
      }
    } finally {
      client.close();
    }
  }

  #closedError(): TransportError {
    return new TransportError('ERR_CLOSED', 'The ZeroMQ transport is closed');
  }

  #notConnectedError(): TransportError {
    return new TransportError('ERR_NOT_CONNECTED', 'The ZeroMQ transport is not connected: call connect() first');
  }

  #enqueue(envelope: Envelope): Promise<void> {
    const queue = this.#sendQueue;
    if (queue === undefined || this.#closing !== undefined) return Promise.reject(this.#closedError());
    if (!this.#canPublish) {
      return Promise.reject(new TransportError('ERR_PUBLISH', 'Nowhere to publish: [zeromq] bind is empty and use_relay is false'));
    }
    let frame: string | [string, Buffer];
    try {
      frame =
        this.#config.zeromq.wire_format === 'fedmsg'
          ? encodeFedmsgFrames(envelope, this.#config.codec.max_message_bytes)
          : this.#positions.frame(envelope, this.#codec);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    if (this.#window !== undefined && typeof frame === 'string') this.#window.keep(this.#id, envelope.topic, this.#positions.lastN, frame);
    return queue.send(frame).then(this.#published, this.#refused);
  }

  async #open(): Promise<void> {
    const config = this.#config.zeromq;
    const binds = bindAddresses(config);
    const viaRelay = binds.length === 0 && config.use_relay;
    this.#viaRelay = viaRelay;
    const curve = this.#curveOptions();
    const socket = new XPublisher({
      sendHighWaterMark: config.send_hwm,
      ...commonSocketOptions(config),
      ...(viaRelay ? curve.client : curve.server),
      // Towards the relay, wait at the high-water mark instead of dropping: the relay then never
      // misses what this process published. Otherwise a send never waits (it drops at the high-water
      // mark, which subscribers report as a gap), so zeromq.js can send synchronously: ZMQ_SNDTIMEO 0.
      noDrop: viaRelay,
      ...(!viaRelay && { sendTimeout: 0 }),
    });
    new SocketMonitor(socket, this.#sink);
    const queue = new SendQueue(socket, {
      immediate: !viaRelay,
      ...(viaRelay && { whenFull: relayWhenFull(config) }),
    });
    const attached = new Promise<void>((resolve) => {
      this.#relayAttached = resolve;
    });
    void this.#serveSubscriptions(socket, queue);
    try {
      for (const address of binds) {
        try {
          await socket.bind(address);
        } catch (error) {
          throw new TransportError('ERR_CONNECTION', `Cannot bind ${address}`, { address, cause: error });
        }
      }
      if (viaRelay) {
        const address = config.relay_inbound;
        try {
          socket.connect(address);
        } catch (error) {
          throw new TransportError('ERR_CONNECTION', `Cannot connect to the relay at ${address}`, { address, cause: error });
        }
        const timeout = delay(config.ready_timeout_ms);
        const outcome = await Promise.race([attached, timeout.promise]);
        timeout.cancel();
        if (outcome === 'timeout') {
          throw new TransportError('ERR_CONNECTION', `The relay at ${address} did not answer within ${config.ready_timeout_ms} ms`, { address });
        }
      }
    } catch (error) {
      socket.linger = 0;
      socket.close();
      throw error;
    }
    if (this.#closing !== undefined) {
      socket.close();
      throw this.#closedError();
    }
    if (config.replay_bind.length > 0 && config.replay_window > 0 && config.wire_format === 'statbus') {
      try {
        this.#replayServer = await ReplayServer.open(config, { ...commonSocketOptions(config), ...curve.server }, this.#log);
      } catch (error) {
        socket.linger = 0;
        socket.close();
        throw error;
      }
      this.#window = this.#replayServer.window;
    }
    this.#socket = socket;
    this.#sendQueue = queue;
    this.#canPublish = binds.length > 0 || viaRelay;
    if (this.#canPublish && config.stream_heartbeat_ms > 0) {
      this.#heartbeat = setInterval(() => this.#beat(queue), config.stream_heartbeat_ms);
      this.#heartbeat.unref();
    }
    this.#log.debug({ binds, relay: viaRelay ? config.relay_inbound : undefined }, 'publisher ready');
  }

  /**
   * One heartbeat tick (see `StreamPositions`). Skipped while messages wait in the send queue: they are
   * still going out, and whatever comes last will be followed by a beat once the queue is idle. A
   * heartbeat goes through the same queue as the messages, so it never overtakes one.
   */
  #beat(queue: SendQueue): void {
    if (queue.pending > 0 || this.#closing !== undefined) return;
    for (const frame of this.#positions.tick()) this.#sendBeat(queue, frame);
  }

  #sendBeat(queue: SendQueue, frame: Buffer): void {
    queue.send(frame).catch((error: unknown) => {
      this.#log.debug({ err: error }, 'could not send a stream heartbeat');
    });
  }

  /**
   * Reads the subscription messages of the XPUB socket: the relay's subscribe-all says it is attached;
   * a subscriber's probe prefix is answered on the probe topic, proving its earlier prefixes arrived.
   * Keeping a read pending is also what makes zeromq.js process the socket's attach commands.
   */
  async #serveSubscriptions(socket: XPublisher, queue: SendQueue): Promise<void> {
    const me = Buffer.from(this.#id, 'latin1');
    try {
      for await (const [message] of socket) {
        if (message === undefined || message[0] !== SUBSCRIBE_BYTE) continue;
        if (message.length === 1) {
          this.#relayAttached?.();
        } else if (isProbeTopic(message.subarray(1))) {
          queue.send([Buffer.from(message.subarray(1)), me]).catch((error: unknown) => {
            this.#log.debug({ err: error }, 'could not answer a probe');
          });
        }
      }
    } catch (error) {
      if (!socket.closed) this.#log.error({ err: error }, 'publisher stopped reading subscriptions');
    }
  }

  async #shutdown(): Promise<void> {
    await this.#connecting?.catch(() => undefined);
    clearInterval(this.#heartbeat);
    const started = Date.now();
    const linger = this.#config.zeromq.linger_ms;
    const queue = this.#sendQueue;
    if (queue !== undefined) {
      // The last word on each recently active stream, behind every queued message (best effort: it lingers
      // like them), so that a subscriber learns of a lost tail even from a publisher that is going away.
      if (this.#config.zeromq.stream_heartbeat_ms > 0) for (const frame of this.#positions.finalBeats()) this.#sendBeat(queue, frame);
      if (linger < 0) {
        await queue.drained();
      } else {
        const timeout = delay(linger);
        const outcome = await Promise.race([queue.drained(), timeout.promise]);
        timeout.cancel();
        if (outcome === 'timeout') this.#log.warn({ pending: queue.pending }, 'closing with publishes not queued by ZeroMQ');
      }
      queue.fail(this.#closedError());
      await this.#awaitRelayReceipt(linger < 0 ? Number.POSITIVE_INFINITY : started + linger);
    }
    if (this.#droppedFull > 0) this.#log.warn({ dropped: this.#droppedFull }, 'messages dropped at the high-water mark towards the relay (on_full = "drop")');
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    this.#socket?.close();
    await this.#replayServer?.close();
    this.#status.publish({ type: 'closed' });
    this.#status.close();
  }
}
