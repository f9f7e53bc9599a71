import { z } from 'zod';

/** Defaults of the `[amqp]` section. */
export const AMQP_DEFAULTS = {
  url: 'amqp://guest:guest@127.0.0.1:5672/%2F',
  exchange: 'amq.topic',
  prefetch: 100,
  confirm_window: 1_000,
  persistent: true,
  heartbeat_s: 30,
  stall_timeout_ms: 5_000,
  connect_timeout_ms: 10_000,
  connect_attempts: 5,
  reconnect_initial_ms: 100,
  reconnect_max_ms: 30_000,
  queue_type: 'quorum',
  max_deliveries: 5,
  dead_letter_exchange: 'statbus.dlx',
  dead_letter_queue: 'statbus.dead-letter',
  close_timeout_ms: 5_000,
  wire_format: 'statbus',
} as const;

/** How messages travel over AMQP: statbus's envelope as the body, or fedora-messaging's format (see transport-amqp's README). */
export const AMQP_WIRE_FORMATS = ['statbus', 'fedora-messaging'] as const;

const url = z
  .string()
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return (parsed.protocol === 'amqp:' || parsed.protocol === 'amqps:') && parsed.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an amqp:// or amqps:// URL with a host');

/**
 * `[amqp]`: the RabbitMQ connection, the topic exchange, publisher confirms, queues and dead-lettering.
 * `[amqp.tls]` gives file paths of the CA, client certificate and key for amqps://.
 *
 * - `exchange`: the topic exchange everything is published to; declared durable unless it is an `amq.*` one.
 * - `prefetch`: unsettled deliveries per subscription when `subscribe()` gives none.
 * - `confirm_window`: publishes awaiting a broker confirm at once; further `publish()` calls wait.
 * - `persistent`: publish with delivery mode 2 (written to disk by durable queues).
 * - `heartbeat_s`: AMQP heartbeat; 0 disables it. A dead connection is closed after two missed intervals.
 * - `stall_timeout_ms`: a connection whose broker has not answered a probe (one small round trip kept
 *   outstanding) for this long is reported `disconnected` (stalled) until it answers again, so readiness
 *   follows a stall within seconds instead of waiting for heartbeats; nothing is closed. 0 turns it off.
 * - `connect_attempts`: tries of the first `connect()` before it rejects; later losses retry forever.
 * - `reconnect_initial_ms` / `reconnect_max_ms`: exponential backoff between tries.
 * - `queue_type`: type of named (shared, durable) queues; quorum queues count deliveries themselves.
 * - `max_deliveries`: a message is delivered at most this many times before it is dead-lettered.
 * - `dead_letter_exchange` / `dead_letter_queue`: where named queues send rejected and poison messages.
 * - `close_timeout_ms`: how long `close()` waits for confirms and for handed-out deliveries to be settled.
 * - `wire_format`: what `publish()` sends: `statbus` (the envelope JSON as the body) or `fedora-messaging`
 *   (its documented wire format: the body alone, id, headers and markers as AMQP properties). Receiving reads
 *   both, told apart per message.
 */
export const amqpConfigSchema = z
  .strictObject({
    url: url.default(AMQP_DEFAULTS.url),
    exchange: z.string().min(1).default(AMQP_DEFAULTS.exchange),
    prefetch: z.number().int().min(1).max(65_535).default(AMQP_DEFAULTS.prefetch),
    confirm_window: z.number().int().min(1).default(AMQP_DEFAULTS.confirm_window),
    persistent: z.boolean().default(AMQP_DEFAULTS.persistent),
    heartbeat_s: z.number().int().nonnegative().default(AMQP_DEFAULTS.heartbeat_s),
    stall_timeout_ms: z.number().int().nonnegative().max(2_147_483_647).default(AMQP_DEFAULTS.stall_timeout_ms),
    connect_timeout_ms: z.number().int().positive().default(AMQP_DEFAULTS.connect_timeout_ms),
    connect_attempts: z.number().int().min(1).default(AMQP_DEFAULTS.connect_attempts),
    reconnect_initial_ms: z.number().int().positive().default(AMQP_DEFAULTS.reconnect_initial_ms),
    reconnect_max_ms: z.number().int().positive().default(AMQP_DEFAULTS.reconnect_max_ms),
    queue_type: z.enum(['quorum', 'classic']).default(AMQP_DEFAULTS.queue_type),
    max_deliveries: z.number().int().min(1).default(AMQP_DEFAULTS.max_deliveries),
    dead_letter_exchange: z.string().min(1).default(AMQP_DEFAULTS.dead_letter_exchange),
    dead_letter_queue: z.string().min(1).default(AMQP_DEFAULTS.dead_letter_queue),
    close_timeout_ms: z.number().int().nonnegative().default(AMQP_DEFAULTS.close_timeout_ms),
    wire_format: z.enum(AMQP_WIRE_FORMATS).default(AMQP_DEFAULTS.wire_format),
    tls: z
      .strictObject({
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        passphrase: z.string().optional(),
        reject_unauthorized: z.boolean().default(true),
      })
      .optional(),
  })
  .refine((section) => section.reconnect_max_ms >= section.reconnect_initial_ms, {
    path: ['reconnect_max_ms'],
    message: 'must be at least reconnect_initial_ms',
  })
  .prefault({});

/** The validated `[amqp]` section. */
export type AmqpConfig = z.output<typeof amqpConfigSchema>;
