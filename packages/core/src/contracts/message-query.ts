/** Sort order by message time. */
export type QueryOrder = 'asc' | 'desc';

/** Largest page a query may ask for. */
export const MAX_ROWS_PER_PAGE = 1000;
/** Page size when none is given (datagrepper's default). */
export const DEFAULT_ROWS_PER_PAGE = 25;

/**
 * A query over the archive, with datagrepper's semantics: the values of one filter are OR-ed, different
 * filters are AND-ed, and each `not*` filter excludes messages matching any of its values.
 *
 * Times are milliseconds since the epoch. `start` is inclusive, `end` exclusive. With `delta` (ms) and no
 * `start`, the window is `[end - delta, end)`, `end` defaulting to now.
 */
export interface MessageQuery {
  readonly start?: number;
  readonly end?: number;
  readonly delta?: number;
  /** Full topics; a value holding `*` or `#` is an AMQP-style pattern. */
  readonly topics?: readonly string[];
  readonly notTopics?: readonly string[];
  /** Categories (the word after `<prefix>.<env>`, e.g. `bodhi`). */
  readonly categories?: readonly string[];
  readonly notCategories?: readonly string[];
  /** Usernames the message concerns (the `usernames` header, or what an extractor found). */
  readonly users?: readonly string[];
  readonly notUsers?: readonly string[];
  /** Package names the message concerns. */
  readonly packages?: readonly string[];
  readonly notPackages?: readonly string[];
  /** Who caused the event (the `agent` header). */
  readonly agents?: readonly string[];
  readonly notAgents?: readonly string[];
  /**
   * Text the JSON of the message body contains, taken literally (not a pattern): case-sensitively by default, as
   * datagrepper does (datanommer's `LIKE '%text%'` on PostgreSQL); see {@link MessageQuery.containsCase}.
   */
  readonly contains?: readonly string[];
  readonly notContains?: readonly string[];
  /**
   * How `contains` and `notContains` compare letters: `sensitive` (the default) exactly, `insensitive` after
   * JavaScript's full Unicode lower-casing of both the body and the needle.
   */
  readonly containsCase?: 'sensitive' | 'insensitive';
  /** By time, then id; default `desc` (newest first). */
  readonly order?: QueryOrder;
  /** 1-based page number; ignored when `cursor` is given. */
  readonly page?: number;
  /** Messages per page, 1..{@link MAX_ROWS_PER_PAGE}; default {@link DEFAULT_ROWS_PER_PAGE}. */
  readonly rowsPerPage?: number;
  /** Opaque keyset cursor from a previous page's `nextCursor`: deep pages without OFFSET cost. */
  readonly cursor?: string;
}
