import { z } from 'zod';
import { MAX_ROWS_PER_PAGE } from '../contracts/message-query.js';

/** Defaults of the `[query]` section. */
export const QUERY_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  max_rows_per_page: 100,
  poll_interval_ms: 250,
  max_stream_clients: 1000,
  cache_entries: 256,
  max_header_bytes: 16_384,
} as const;

/** Shortest admin token accepted: a bearer token must not be guessable. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/**
 * `[query]`: the HTTP query API (`statbus serve`, datagrepper's role).
 *
 * - `host` / `port`: where it listens (`--host` / `--port` override them).
 * - `cors_origins`: origins allowed by CORS (`"*"` for any); empty (the default) sends no CORS headers.
 * - `max_rows_per_page`: the largest `rows_per_page` accepted (datagrepper's is 100); larger asks answer 400.
 *   Use `cursor` or `/export` for more.
 * - `poll_interval_ms`: how often `/stream` polls the store's change feed for messages archived by
 *   another process (an archiver in the same process wakes it at once).
 * - `max_stream_clients`: concurrent `/stream` connections; more answer 503.
 * - `cache_entries`: answers of `/raw`, `/v2/search`, `/count` and `/topics` kept, each valid only while the
 *   store's change head has not moved (so never stale); queries with a sliding `delta` window are not
 *   cached. 0 disables the cache.
 * - `max_header_bytes`: the largest request line and headers accepted (URL included); larger answer 431.
 * - `admin_token` / `admin_token_file`: the bearer token of the admin endpoints (`DELETE /admin/messages/:id`,
 *   `POST /admin/messages/:id/redact`), given inline or as a file holding it. Without either the API is read-only:
 *   the admin endpoints do not exist.
 */
export const queryConfigSchema = z
  .strictObject({
    host: z.string().min(1).default(QUERY_DEFAULTS.host),
    port: z.number().int().min(0).max(65_535).default(QUERY_DEFAULTS.port),
    cors_origins: z.array(z.string().min(1)).default([]),
    max_rows_per_page: z.number().int().min(1).max(MAX_ROWS_PER_PAGE).default(QUERY_DEFAULTS.max_rows_per_page),
    poll_interval_ms: z.number().int().min(10).max(60_000).default(QUERY_DEFAULTS.poll_interval_ms),
    max_stream_clients: z.number().int().min(1).max(100_000).default(QUERY_DEFAULTS.max_stream_clients),
    cache_entries: z.number().int().min(0).max(100_000).default(QUERY_DEFAULTS.cache_entries),
    max_header_bytes: z.number().int().min(1024).max(1_048_576).default(QUERY_DEFAULTS.max_header_bytes),
    admin_token: z.string().min(MIN_ADMIN_TOKEN_LENGTH, `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`).optional(),
    admin_token_file: z.string().min(1).optional(),
  })
  .prefault({});

/** The validated `[query]` section. */
export type QueryConfig = z.output<typeof queryConfigSchema>;
