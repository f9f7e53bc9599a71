import type { Logger, MessageStore, QueryConfig } from '@statbus/core';
import type { MetricsReader } from '@statbus/metrics';
import type { Registry } from 'prom-client';

/** What a process running beside the API (an archiver) says about its readiness: `/ready` answers it. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly [detail: string]: unknown;
}

/** What {@link createQueryServer} serves and how. */
export interface QueryServerOptions {
  /** Any initialised {@link MessageStore}; the server never closes it. */
  readonly store: MessageStore;
  /** The `[query]` section; only `max_rows_per_page`, `cors_origins`, `poll_interval_ms` and `max_stream_clients` are read here. */
  readonly config: QueryConfig;
  readonly logger?: Logger;
  /** Reported as `source_version` and in the OpenAPI document. */
  readonly version?: string;
  /**
   * The metrics served at `/stats` and `/series`; default: the built-in plugins over `store` when it keeps rollups
   * (no `/stats` or `/series` otherwise).
   */
  readonly metrics?: MetricsReader;
  /** What `GET /metrics` exposes; default: the archive's totals, rollups and the process metrics. */
  readonly prometheus?: Registry;
  /**
   * Where `/ready` takes its answer from instead of asking the store (`statbus serve --archive`, `statbus up`:
   * the archiver's own state, which needs no I/O). Returning undefined falls back to asking the store.
   */
  readonly readiness?: () => ReadinessReport | undefined;
  /** The admin bearer token; default: read from `config` (`admin_token` or `admin_token_file`). */
  readonly adminToken?: string;
  /** Where a relative `admin_token_file` is found; default the process's working directory. */
  readonly cwd?: string;
}
