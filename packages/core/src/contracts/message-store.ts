import type { Envelope } from '../envelope/envelope.js';
import type { MessageQuery } from './message-query.js';

/** An envelope with what the archive indexes it by, derived once when it is archived. */
export interface ArchivedMessage {
  readonly envelope: Envelope;
  readonly category: string;
  readonly users: readonly string[];
  readonly packages: readonly string[];
  readonly agent?: string;
  /**
   * True when the archiver checked the signature and routing policy at ingest (`[signing] verify`) and they
   * passed. Absent or false: not verified (verification off, a foreign format accepted as unverified, or an
   * archive written before this was recorded), so its `signature` must not be presented as valid.
   */
  readonly verified?: boolean;
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

/** One message of the change feed, with where it sits in archive order. */
export interface ArchiveChange {
  /** Opaque, store-specific; give it back as `after` to read what was archived after this message. */
  readonly position: string;
  readonly message: ArchivedMessage;
}

/** What {@link MessageStore.changes} returns. */
export interface ChangeBatch {
  /** Messages archived after the position asked for, oldest archived first. */
  readonly changes: readonly ArchiveChange[];
  /** Where to resume: the last change's position, or the position asked for when nothing is new. */
  readonly position: string;
}

/**
 * What one {@link MessageStore.insertMany} newly stored, as the change feed will show it: given to
 * {@link MessageStore.onInserted} listeners so that a feed reader in the same process need not read it back.
 */
export interface InsertedChanges {
  /**
   * The feed position just before the first of `changes`: no other message sits between it and the last of
   * `changes`, so a reader at `after` may take `changes` as the next page of the feed.
   */
  readonly after: string;
  /** The messages newly stored, in feed order, each with its position (content included, as stored). */
  readonly changes: readonly ArchiveChange[];
}

/** Options of {@link MessageStore.changes}. */
export interface ChangesOptions {
  /**
   * `false`: the envelope's `headers` and `body` come back empty (`{}`), everything else as stored — for readers
   * that do not look at them (the built-in metrics), so the store need not read nor parse them. Default `true`.
   */
  readonly content?: boolean;
}

/** Largest `limit` {@link MessageStore.changes} accepts. */
export const MAX_CHANGES_LIMIT = 1000;

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
  /**
   * The change feed: up to `limit` (1..{@link MAX_CHANGES_LIMIT}) messages archived after position `after`
   * (from the first message archived when `undefined`), in archive (commit) order, not message time order.
   * A reader that keeps passing back {@link ChangeBatch.position} sees every archived message once.
   * Backends say how far that promise holds (SQLite: exactly, one writer at a time; MongoDB: see its docs).
   *
   * @throws {QueryError} naming `after` for a position this store did not make, `limit` when out of range.
   */
  changes(after: string | undefined, limit: number, options?: ChangesOptions): Promise<ChangeBatch>;
  /** The position of the newest archived message: where a feed of only what comes next starts. */
  changesHead(): Promise<string>;
  /**
   * Optional in-process hook: `listener` runs after each {@link MessageStore.insertMany} of this instance
   * that stored something, so a feed reader sharing the process need not wait for its next poll; stores that
   * can tell pass what was stored and where ({@link InsertedChanges}), so the reader need not read it back.
   * Returns the function that removes the listener. Writers in other processes are seen only by polling.
   */
  onInserted?(listener: (inserted?: InsertedChanges) => void): () => void;
  /** Releases the store. Idempotent. */
  close(): Promise<void>;
}
