import type { Envelope } from '../envelope/envelope.js';
import type { SubscribeOptions, Subscription } from './subscription.js';
import type { TransportCounters, TransportStatus } from './transport-status.js';

/** The transport kinds statbus ships; the `transport` key of the config. */
export type TransportKind = 'zeromq' | 'amqp';

/**
 * The seam between statbus and a bus. Every backend passes the same contract suite, so a service
 * publishes and consumes the same way over brokerless ZeroMQ and brokered RabbitMQ.
 *
 * Patterns have AMQP topic semantics on every transport: `*` matches one word, `#` zero or more.
 */
export interface Transport {
  readonly kind: string;

  /**
   * Connects (or binds). Resolves when publish and subscribe can be used. Idempotent: a second call
   * resolves with the first.
   *
   * @throws {TransportError} `ERR_CONNECTION` naming the address, after the configured retries;
   *   `ERR_CLOSED` after `close()` (a closed transport does not reopen).
   */
  connect(): Promise<void>;

  /**
   * Publishes one envelope. ZeroMQ: resolves when the message is queued on the socket.
   * AMQP: resolves when the broker confirmed it (persisted when persistent).
   * Publishes of one producer keep their order. Called while `connect()` is under way, it waits for it.
   *
   * @throws {TransportError} `ERR_NOT_CONNECTED` before `connect()` (no backend connects by itself);
   *   `ERR_CLOSED` after `close()`; `ERR_PUBLISH` when the bus refused it.
   * @throws {CodecError} when the encoded envelope is over the size limit.
   */
  publish(envelope: Envelope): Promise<void>;

  /**
   * Subscribes to topics matching any of `patterns`. Resolves when the subscription is live: messages
   * published after that are delivered.
   *
   * @throws {TopicError} (`ERR_PATTERN`) for a malformed pattern or an empty list; {@link TransportError}
   *   `ERR_NOT_CONNECTED` before `connect()`, `ERR_CLOSED` after `close()`, `ERR_SUBSCRIBE` when the bus
   *   refused it. A closed transport reports `ERR_CLOSED` first, then bad patterns, then `ERR_NOT_CONNECTED`.
   */
  subscribe(patterns: readonly string[], options?: SubscribeOptions): Promise<Subscription>;

  /**
   * A new iterable of status events from now on (each call gets its own), ending after `closed`.
   */
  status(): AsyncIterable<TransportStatus>;

  /** A snapshot of the running totals. */
  counters(): TransportCounters;

  /**
   * Drains pending publishes, closes every subscription, then the connection. Idempotent: later calls
   * resolve when the first one finished. Never rejects; closing a transport never connected is allowed.
   */
  close(): Promise<void>;
}
