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
import { curveOptions, type CurveOptions } from './curve-options.js';
import { ReplayClient, type RecoveryCounters } from './replay-endpoint.js';
import { relayReplayAddress } from './socket-options.js';
import { ZeroMqPublisher, closedError } from './zeromq-publisher.js';
import { ZeroMqSubscription, type SubscriptionSink } from './zeromq-subscription.js';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The brokerless transport: fedmsg's ZeroMQ PUB/SUB, over tcp:// and ipc://.
 *
 * Publishing goes through one XPUB socket that binds the `bind` entries of `[zeromq]`, or, binding
 * nothing, connects to the relay's inbound side. Each subscription has its own SUB socket connected to
 * every endpoint and to the relay's outbound side. A message is one frame, `<topic> <stream position>
 * <envelope>`; the stream position numbers each topic's messages so that every loss is reported as a
 * `gap` (see README and `wire-frames.ts`). Every `stream_heartbeat_ms` the publisher also sends the last
 * position of each recently active topic, so that a lost tail of a stream is reported too. Messages that
 * wait to be sent travel several to a ZeroMQ message (`publish-batcher.ts`); the publishing half is
 * `ZeroMqPublisher`, the subscribing half `ZeroMqSubscription`.
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
  readonly #subscriptions = new Set<ZeroMqSubscription>();
  readonly #sink: SubscriptionSink;
  #publisher: ZeroMqPublisher | undefined;
  #curve: CurveOptions | undefined;
  #refilled = 0;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

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
    const publisher = this.#publisher;
    if (publisher === undefined) {
      // Still connecting: an envelope over the limit is refused now, as once connected.
      try {
        encodeEnvelope(envelope, this.#codec);
      } catch (error) {
        return Promise.reject(asError(error));
      }
      return this.#connecting.then(() => this.#publishConnected(envelope));
    }
    return publisher.publish(envelope);
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
      requestsAnswered: this.#publisher?.replayServer?.requests ?? 0,
      replayed: this.#publisher?.replayServer?.replayed ?? 0,
    };
  }

  /** The address this publisher answers gap requests on (the last of `replay_bind`, real port), if any. */
  get replayAddress(): string | undefined {
    return this.#publisher?.replayServer?.address;
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

  #closedError(): TransportError {
    return closedError();
  }

  #notConnectedError(): TransportError {
    return new TransportError('ERR_NOT_CONNECTED', 'The ZeroMQ transport is not connected: call connect() first');
  }

  #publishConnected(envelope: Envelope): Promise<void> {
    const publisher = this.#publisher;
    if (publisher === undefined || this.#closing !== undefined) return Promise.reject(this.#closedError());
    return publisher.publish(envelope);
  }

  async #open(): Promise<void> {
    const publisher = await ZeroMqPublisher.open(this.#config, this.#id, this.#curveOptions(), this.#log, {
      counters: this.#counters,
      status: (event) => this.#status.publish(event),
      reconnected: () => {
        this.#counters.reconnects += 1;
      },
    });
    if (this.#closing !== undefined) {
      publisher.abort();
      throw this.#closedError();
    }
    this.#publisher = publisher;
  }

  async #shutdown(): Promise<void> {
    await this.#connecting?.catch(() => undefined);
    await this.#publisher?.close();
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#publisher?.release();
    this.#status.publish({ type: 'closed' });
    this.#status.close();
  }
}
