import { z } from 'zod';

const count = z.number().int().min(0);
const positive = z.number().int().min(1);
const share = z.number().positive().max(1);

/**
 * `[sink.sqlite]`: the SQLite store's options, for a `store = "sqlite:…"` archive. Every key is optional: an
 * absent key keeps the store's default (listed with its meaning in the `@statbus/sink` README, "The SQLite
 * store"). `synchronous`, `max_page_count` and `index_in_background` change durability and when indexes are
 * filled; the rest is tuning (memory, latency, throughput) and never changes what a query answers.
 */
export const sqliteConfigSchema = z
  .strictObject({
    synchronous: z.enum(['FULL', 'NORMAL']).optional(),
    max_page_count: positive.optional(),
    index_in_background: z.boolean().optional(),
    busy_timeout_ms: count.optional(),
    busy_slice_ms: positive.optional(),
    bulk_commit_rows: positive.optional(),
    cache_mb: count.optional(),
    mmap_mb: count.optional(),
    wal_autocheckpoint_pages: count.optional(),
    statement_cache_size: positive.optional(),
    matcher_cache_size: positive.optional(),
    side_index_chunk: positive.optional(),
    text_index_chunk_blocks: positive.optional(),
    index_idle_delay_ms: count.optional(),
    total_cache_entries: count.optional(),
    total_catch_up_rows: count.optional(),
    page_anchor_sets: count.optional(),
    anchors_per_set: positive.optional(),
    anchors_tried: positive.optional(),
    walk_max_rows: count.optional(),
    expanded_topics_max: count.optional(),
    drive_by_time_share: share.optional(),
    contains_scan_rows: count.optional(),
    scan_row_cost: z.number().positive().optional(),
    contains_max_trigrams: positive.optional(),
    contains_min_trigrams: positive.optional(),
    trigram_sample_rows: count.optional(),
    trigram_resample_growth: z.number().positive().optional(),
  })
  .prefault({});

/** The validated `[sink.sqlite]` section: only the keys given. */
export type SqliteConfig = z.output<typeof sqliteConfigSchema>;
