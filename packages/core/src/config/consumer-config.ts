import { z } from 'zod';

/** Defaults of the `[consumer]` section. */
export const CONSUMER_DEFAULTS = {
  concurrency: 4,
  max_retries: 3,
  retry_delay_ms: 250,
  health_host: '127.0.0.1',
  health_port: 0,
  watchdog_s: 0,
} as const;

/**
 * `[consumer]`: how a consumer hub runs its handlers.
 *
 * - `group`: the default consumer group, i.e. the name of the shared queue a handler's subscription
 *   uses (on AMQP a durable queue; instances with the same group share the work). Default: `[producer] name`.
 * - `consumers`: what `statbus hub` runs when no `--consumer` is given (`MODULE:EXPORT`), and `topics` the
 *   patterns of the function consumers among them (the part after `<prefix>.<env>.` or full).
 * - `concurrency`: handlers of one group running at once.
 * - `prefetch`: deliveries handed out and not settled per group; at least `concurrency`. Default: twice `concurrency`.
 * - `max_retries`: times a message is retried (a handler threw `Nack` or failed) before it is dead-lettered.
 *   Keep it below the transport's `max_deliveries`, which dead-letters on its own.
 * - `retry_delay_ms`: wait before a failed message is put back for its next attempt, doubled each attempt
 *   (up to 16 times this), so that a message that always fails does not spin; 0 puts it back at once.
 * - `health_host` / `health_port`: where `/live` and `/ready` are served; port 0 disables the server.
 * - `watchdog_s`: `/ready` answers 503 when the hub is connected but received nothing for this many seconds.
 *   Set it to the longest silence that is normal for the patterns consumed; 0 disables the watchdog.
 */
export const consumerConfigSchema = z
  .strictObject({
    group: z.string().min(1).regex(/^[^\s]+$/u, 'cannot hold white space').optional(),
    consumers: z.array(z.string().regex(/^.+:[^:]+$/u, 'must be MODULE:EXPORT, e.g. ./consumers.js:archive')).default([]),
    topics: z.array(z.string().min(1)).default([]),
    concurrency: z.number().int().min(1).max(10_000).default(CONSUMER_DEFAULTS.concurrency),
    prefetch: z.number().int().min(1).max(65_535).optional(),
    max_retries: z.number().int().nonnegative().default(CONSUMER_DEFAULTS.max_retries),
    retry_delay_ms: z.number().int().nonnegative().default(CONSUMER_DEFAULTS.retry_delay_ms),
    health_host: z.string().min(1).default(CONSUMER_DEFAULTS.health_host),
    health_port: z.number().int().min(0).max(65_535).default(CONSUMER_DEFAULTS.health_port),
    watchdog_s: z.number().nonnegative().default(CONSUMER_DEFAULTS.watchdog_s),
  })
  .refine((section) => section.prefetch === undefined || section.prefetch >= section.concurrency, {
    path: ['prefetch'],
    message: 'must be at least concurrency, or handlers can never all be busy',
  })
  .prefault({});

/** The validated `[consumer]` section. */
export type ConsumerConfig = z.output<typeof consumerConfigSchema>;
