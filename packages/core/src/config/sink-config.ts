import { z } from 'zod';
import { retentionConfigSchema } from './retention-config.js';
import { sqliteConfigSchema } from './sqlite-config.js';

/** Defaults of the `[sink]` section. */
export const SINK_DEFAULTS = {
  batch_size: 500,
  max_wait_ms: 200,
  queue: 'statbus.archive',
  retry_initial_ms: 100,
  retry_max_ms: 10_000,
} as const;

/**
 * `[sink]`: the archiver (`statbus nom`). It writes messages in batches of up to `batch_size`, waiting at
 * most `max_wait_ms` for a batch to fill, and acks them only once written. Over AMQP every archiver with
 * the same `queue` shares one durable queue (how the archive scales out). A failing store is retried with
 * backoff from `retry_initial_ms` to `retry_max_ms`. `meta_rules` names a JSON file of the organisation's own
 * facts for finding users and packages in messages (`@statbus/meta`'s `{ rules, identities }`), tried
 * before Fedora's built-in ones. `[sink.retention]` says how long messages are kept, `[sink.sqlite]` tunes an
 * SQLite archive.
 */
export const sinkConfigSchema = z
  .strictObject({
    batch_size: z.number().int().min(1).max(100_000).default(SINK_DEFAULTS.batch_size),
    max_wait_ms: z.number().int().min(1).default(SINK_DEFAULTS.max_wait_ms),
    queue: z.string().min(1).default(SINK_DEFAULTS.queue),
    prefetch: z.number().int().min(1).max(65_535).optional(),
    retry_initial_ms: z.number().int().positive().default(SINK_DEFAULTS.retry_initial_ms),
    retry_max_ms: z.number().int().positive().default(SINK_DEFAULTS.retry_max_ms),
    meta_rules: z.string().min(1, 'must be the path of a JSON file of rules').optional(),
    retention: retentionConfigSchema,
    sqlite: sqliteConfigSchema,
  })
  .prefault({});

/** The validated `[sink]` section. */
export type SinkConfig = z.output<typeof sinkConfigSchema>;
