import type { AmqpConfig, Envelope } from '@statbus/core';
import type { Options } from 'amqplib';

/** Content type of every message statbus publishes. */
export const CONTENT_TYPE = 'application/json';
/** RabbitMQ's header counting the earlier failed deliveries of a message on a quorum queue. */
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';

/** The broker URL with the configured heartbeat added, unless the URL sets one itself. */
export function connectionUrl(amqp: Pick<AmqpConfig, 'url' | 'heartbeat_s'>): string {
  const url = new URL(amqp.url);
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(amqp.heartbeat_s));
  return url.toString();
}

/** What {@link socketOptions} builds: amqplib's socket options (TLS ones included for amqps://). */
export interface AmqpSocketOptions {
  readonly noDelay: boolean;
  readonly timeout: number;
  readonly keepAlive: boolean;
  readonly clientProperties: Record<string, unknown>;
  readonly ca?: Buffer[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly passphrase?: string;
  readonly rejectUnauthorized?: boolean;
}

/**
 * Socket options for amqplib's `connect`: Nagle off (`noDelay`; with it on, a small frame waits for the ACK of
 * the previous one, which multiplies latency), the connect timeout, TCP keep-alive, and for amqps:// the `[amqp.tls]` files read with
 * `readFile` (which throws when a file cannot be read).
 */
export function socketOptions(
  amqp: Pick<AmqpConfig, 'url' | 'connect_timeout_ms' | 'tls'>,
  readFile: (path: string) => Buffer,
  connectionName: string,
): AmqpSocketOptions {
  const base = {
    noDelay: true,
    timeout: amqp.connect_timeout_ms,
    keepAlive: true,
    clientProperties: { connection_name: connectionName },
  };
  const tls = amqp.tls;
  if (new URL(amqp.url).protocol !== 'amqps:' || tls === undefined) return base;
  return {
    ...base,
    ...(tls.ca === undefined ? {} : { ca: [readFile(tls.ca)] }),
    ...(tls.cert === undefined ? {} : { cert: readFile(tls.cert) }),
    ...(tls.key === undefined ? {} : { key: readFile(tls.key) }),
    ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    rejectUnauthorized: tls.reject_unauthorized,
  };
}

/** Message properties of one envelope: id, time (AMQP timestamps are seconds), JSON, persistence. */
export function publishOptions(envelope: Envelope, persistent: boolean): Options.Publish {
  return {
    messageId: envelope.id,
    timestamp: Math.floor(envelope.time / 1000),
    contentType: CONTENT_TYPE,
    deliveryMode: persistent ? 2 : 1,
  };
}

/** `amq.*` exchanges are the broker's own: they always exist and may not be declared. */
export function isBrokerExchange(name: string): boolean {
  return name.startsWith('amq.');
}

/**
 * Arguments of a named, shared queue: durable, of the configured type, dead-lettering to the configured
 * exchange. A quorum queue also gets `x-delivery-limit`: RabbitMQ dead-letters a message returned more
 * than that many times, so `max_deliveries - 1` makes `max_deliveries` the most deliveries of a message.
 */
export function namedQueueOptions(
  amqp: Pick<AmqpConfig, 'queue_type' | 'max_deliveries' | 'dead_letter_exchange'>,
): Options.AssertQueue {
  const args: Record<string, string | number> = {
    'x-queue-type': amqp.queue_type,
    'x-dead-letter-exchange': amqp.dead_letter_exchange,
  };
  if (amqp.queue_type === 'quorum') args['x-delivery-limit'] = amqp.max_deliveries - 1;
  return { durable: true, exclusive: false, autoDelete: false, arguments: args };
}

/** A private queue per subscriber: server-named, gone with its consumer or connection. */
export const EXCLUSIVE_QUEUE_OPTIONS: Options.AssertQueue = { durable: false, exclusive: true, autoDelete: true };

/** The dead-letter queue: durable, of the configured type, with no delivery limit of its own. */
export function deadLetterQueueOptions(amqp: Pick<AmqpConfig, 'queue_type'>): Options.AssertQueue {
  return { durable: true, exclusive: false, autoDelete: false, arguments: { 'x-queue-type': amqp.queue_type } };
}

/**
 * How many times a message on a quorum queue was delivered, this time included: RabbitMQ counts the
 * earlier failed deliveries in `x-delivery-count` (absent on the first one). Without the header, a
 * redelivered message counts as its second delivery.
 */
export function quorumDeliveryCount(headers: Record<string, unknown> | undefined, redelivered: boolean): number {
  const header = headers?.[DELIVERY_COUNT_HEADER];
  if (typeof header === 'number' && Number.isFinite(header) && header >= 0) return header + 1;
  return redelivered ? 2 : 1;
}
