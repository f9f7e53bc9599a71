import type { HeaderHints } from '@statbus/core';

/**
 * Options of {@link Producer.publish}. `usernames`, `packages`, `agent` and `severity` win over what the
 * schema's extractor found; `headers` gives any other header and loses to both.
 */
export interface PublishOptions extends HeaderHints {
  readonly headers?: Readonly<Record<string, string>>;
}
