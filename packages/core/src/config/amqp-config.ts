import { z } from 'zod';

/** Defaults of the `[amqp]` section. */
export const AMQP_DEFAULTS = {
  url: 'amqp://guest:guest@127.0.0.1:5672/%2F',
  exchange: 'amq.topic',
  prefetch: 100,
  confirm_window: 1_000,
  persistent: true,
  heartbeat_s: 30,
  connect_timeout_ms: 10_000,
  connect_attempts: 5,
  reconnect_initial_ms: 100,
  reconnect_max_ms: 30_000,
  queue_type: 'quorum',
  max_deliveries: 5,
  dead_letter_exchange: 'statbus.dlx',
  dead_letter_queue: 'statbus.dead-letter',
} as const;

const url = z
  .string()
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === 'amqp:' || parsed.protocol === 'amqps:';
    } catch {
      return false;
    }
  }, 'must be an amqp:// or amqps:// URL');

/**
 * `[amqp]`: the RabbitMQ connection, the topic exchange, publisher confirms, queues and dead-lettering.
 * `[amqp.tls]` gives file paths of the CA, client certificate and key for amqps://.
 */
export const amqpConfigSchema = z
  .strictObject({
    url: url.default(AMQP_DEFAULTS.url),
    exchange: z.string().min(1).default(AMQP_DEFAULTS.exchange),
    prefetch: z.number().int().min(1).max(65_535).default(AMQP_DEFAULTS.prefetch),
    confirm_window: z.number().int().min(1).default(AMQP_DEFAULTS.confirm_window),
    persistent: z.boolean().default(AMQP_DEFAULTS.persistent),
    heartbeat_s: z.number().int().nonnegative().default(AMQP_DEFAULTS.heartbeat_s),
    connect_timeout_ms: z.number().int().positive().default(AMQP_DEFAULTS.connect_timeout_ms),
    connect_attempts: z.number().int().min(1).default(AMQP_DEFAULTS.connect_attempts),
    reconnect_initial_ms: z.number().int().positive().default(AMQP_DEFAULTS.reconnect_initial_ms),
    reconnect_max_ms: z.number().int().positive().default(AMQP_DEFAULTS.reconnect_max_ms),
    queue_type: z.enum(['quorum', 'classic']).default(AMQP_DEFAULTS.queue_type),
    max_deliveries: z.number().int().min(1).default(AMQP_DEFAULTS.max_deliveries),
    dead_letter_exchange: z.string().min(1).default(AMQP_DEFAULTS.dead_letter_exchange),
    dead_letter_queue: z.string().min(1).default(AMQP_DEFAULTS.dead_letter_queue),
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
  .prefault({});

/** The validated `[amqp]` section. */
export type AmqpConfig = z.output<typeof amqpConfigSchema>;
