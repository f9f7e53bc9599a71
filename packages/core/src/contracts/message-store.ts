import type { Envelope } from '../envelope/envelope.js';
import type { MessageQuery } from './message-query.js';

/** An envelope with what the archive indexes it by, derived once when it is archived. */
export interface ArchivedMessage {
  readonly envelope: Envelope;
  readonly category: string;
  readonly users: readonly string[];
  readonly packages: readonly string[];
  readonly agent?: string;
}

/** What {@link MessageStore.insertMany} did. */
export interface InsertResult {
  /** Ids stored by this call. */
  readonly inserted: readonly string[];
  /** Ids that were already stored, left unchanged. */
  readonly duplicates: readonly string[];
}

/** One page of a query's results. */
export interface MessagePage {
  readonly messages: readonly ArchivedMessage[];
  /** Exact number of messages matching the query (all pages). */
  readonly total: number;
  /** 1-based page number; with a cursor, counted from where the cursor started. */
  readonly page: number;
  readonly pages: number;
  readonly rowsPerPage: number;
  /** Give it back as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** A count, and whether it is exact or an estimate. */
export interface CountResult {
  readonly count: number;
  readonly exact: boolean;
}

/** One topic of the catalogue. */
export interface TopicSummary {
  readonly topic: string;
  readonly category: string;
  readonly count: number;
  /** Time (ms) of the oldest and newest stored message on this topic. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Filters of {@link MessageStore.topics}. */
export interface TopicCatalogueQuery {
  readonly categories?: readonly string[];
  /** Only topics seen at or after `start` / before `end` (ms). */
  readonly start?: number;
  readonly end?: number;
}

/** Totals of the store. */
export interface StoreStats {
  readonly total: number;
  readonly byCategory: Readonly<Record<string, number>>;
  readonly byTopic: Readonly<Record<string, number>>;
  /** Time (ms) of the oldest and newest message, when there is one. */
  readonly first?: number;
  readonly last?: number;
}

/**
 * The archive's seam: every backend (MongoDB, SQLite) passes one contract suite.
 * Every method rejects with {@link StoreError} when the store fails (`retryable` says whether to try
 * again) and with {@link QueryError} for a bad query, naming the field.
 */
export interface MessageStore {
  /** Creates or migrates the schema and indexes. Idempotent. Resolves when the store is ready. */
  init(): Promise<void>;
  /**
   * Stores messages, idempotent by envelope id. Resolves when they are durably written (what was written
   * survives a crash): an archiver acks only after that.
   */
  insertMany(messages: readonly ArchivedMessage[]): Promise<InsertResult>;
  /** One page of the messages matching `query`. */
  find(query: MessageQuery): Promise<MessagePage>;
  /** The message with this id, or `undefined`. */
  get(id: string): Promise<ArchivedMessage | undefined>;
  /** Matching messages; with `estimate: true` and no filter, a fast estimate may be returned. */
  count(query: MessageQuery, options?: { estimate?: boolean }): Promise<CountResult>;
  /** The topic catalogue: each topic with its count and first and last seen. */
  topics(query?: TopicCatalogueQuery): Promise<readonly TopicSummary[]>;
  stats(): Promise<StoreStats>;
  /** Releases the store. Idempotent. */
  close(): Promise<void>;
}
