import type { Logger, MessageStore, QueryConfig } from '@statbus/core';

/** What {@link createQueryServer} serves and how. */
export interface QueryServerOptions {
  /** Any initialised {@link MessageStore}; the server never closes it. */
  readonly store: MessageStore;
  /** The `[query]` section; only `max_rows_per_page`, `cors_origins`, `poll_interval_ms` and `max_stream_clients` are read here. */
  readonly config: QueryConfig;
  readonly logger?: Logger;
  /** Reported as `source_version` and in the OpenAPI document. */
  readonly version?: string;
  /** The admin bearer token; default: read from `config` (`admin_token` or `admin_token_file`). */
  readonly adminToken?: string;
  /** Where a relative `admin_token_file` is found; default the process's working directory. */
  readonly cwd?: string;
}
