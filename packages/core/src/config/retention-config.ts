import { z } from 'zod';
import type { RetentionSelection } from '../contracts/archive-maintenance.js';

/** Defaults of `[sink.retention]`. */
export const RETENTION_DEFAULTS = {
  interval_minutes: 60,
  batch_size: 1000,
} as const;

const DAY_MS = 86_400_000;

const retentionRuleSchema = z.strictObject({
  max_age_days: z.number().positive(),
  topics: z.array(z.string().min(1)).default([]),
  categories: z.array(z.string().min(1)).default([]),
});

/**
 * `[sink.retention]`: how long the archive keeps messages. Each `[[sink.retention.rules]]` removes messages
 * older than `max_age_days`, of the `topics` patterns and `categories` it names (all when both are empty).
 * The archiver (`statbus nom`) applies the rules every `interval_minutes` (0: never; `statbus db prune` applies
 * them on demand), `batch_size` messages per transaction so that the archive stays online. No rules (the
 * default): nothing is ever removed.
 */
export const retentionConfigSchema = z
  .strictObject({
    interval_minutes: z.number().int().min(0).max(525_600).default(RETENTION_DEFAULTS.interval_minutes),
    batch_size: z.number().int().min(1).max(100_000).default(RETENTION_DEFAULTS.batch_size),
    rules: z.array(retentionRuleSchema).default([]),
  })
  .prefault({});

/** The validated `[sink.retention]` section. */
export type RetentionConfig = z.output<typeof retentionConfigSchema>;

/** The selections of `config`'s rules at time `now` (ms). */
export function retentionSelections(config: RetentionConfig, now: number): RetentionSelection[] {
  return config.rules.map((rule) => ({ before: Math.floor(now - rule.max_age_days * DAY_MS), topics: rule.topics, categories: rule.categories }));
}
