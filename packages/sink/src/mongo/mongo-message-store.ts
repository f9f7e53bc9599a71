import { MongoBulkWriteError, MongoClient, type Collection, type MongoClientOptions } from 'mongodb';
import {
  StoreError,
  type ArchiveMaintenance,
  type ArchivedMessage,
  type ChangeBatch,
  type ChangesOptions,
  type CountResult,
  type InsertedChanges,
  type InsertResult,
  type MaintenanceOptions,
  type MessagePage,
  type MessageQuery,
  type MessageStore,
  type PruneResult,
  type RedactionPath,
  type RetentionSelection,
  type RollupAdvance,
  type RollupCell,
  type RollupPage,
  type RollupPageRange,
  type RollupPosition,
  type RollupRange,
  type RollupRow,
  type RollupStore,
  type SeriesCount,
  type StoreStats,
  type TopicCatalogueQuery,
  type TopicSummary,
} from '@statbus/core';
import { checkQuery } from '../query/check-query.js';
import { encodeCursor } from '../query/keyset-cursor.js';
import { selectsEverything } from '../query/query-filters.js';
import { fromMongoDocument, toMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { splitWriteErrors, toMongoStoreError } from './mongo-errors.js';
import { MongoCatalogue, type MongoTopicDocument } from './mongo-catalogue.js';
import { MongoChangeFeed } from './mongo-change-feed.js';
import { MongoMaintenance, mongodumpError } from './mongo-maintenance.js';
import { MongoRollups } from './mongo-rollups.js';
import { toMongoFilter } from './to-mongo-filter.js';
import { migrateMessageText, type MongoTextMigrationDocument, type MongoTextMigrationProgress } from './mongo-text-migration.js';

/** Options of {@link MongoMessageStore}. */
export interface MongoStoreOptions {
  /** Database name; default: the one in the URL path, else `statbus`. */
  readonly database?: string;
  /** Collection of messages; default `messages` (the topic catalogue is `<collection>_topics`). */
  readonly collection?: string;
  /** Passed to `MongoClient` (timeouts, TLS…). */
  readonly client?: MongoClientOptions;
  /** Called after each batch while `init()` rewrites the `text` of documents stored before it (once per database). */
  readonly onMigrationProgress?: (progress: MongoTextMigrationProgress) => void;
}

/**
 * The production archive on MongoDB, with the official driver. Documents are shaped by
 * {@link toMongoDocument}; queries are translated by the pure {@link toMongoFilter}.
 *
 * Indexes: `_id` (the message id, unique), `(time, _id)`, `(topic, time, _id)`, `(category, time, _id)`,
 * `(users, time)`, `(packages, time)`, `(agent, time)`. `contains` is a literal regex (`i` when case-insensitive)
 * over `text`, the body's JSON: no index serves a substring, so it runs over what the other filters select.
 * Writes use `w: "majority", j: true`: `insertMany` resolves when the batch is journaled.
 *
 * Change feed: `insertMany` reserves a range of `archiveSeq` numbers (one `$inc` on a counter document)
 * before writing, and {@link MongoMessageStore.changes} reads by `archiveSeq`. Limits, honestly: with one
 * archiver writing (the usual deployment, batches written one after another) the feed misses nothing; with
 * several concurrent writers a batch that reserved lower numbers but commits after a higher one can be
 * passed by a reader that polled in between (change streams would close that gap but need a replica set).
 * Documents stored before this field existed are not in the feed, and duplicates leave holes in the numbers.
 */
export class MongoMessageStore implements MessageStore, RollupStore, ArchiveMaintenance {
  readonly url: string;
  private readonly options: MongoStoreOptions;
  private client: MongoClient | undefined;
  private messagesCollection: Collection<MongoMessageDocument> | undefined;
  private catalogueStore: MongoCatalogue | undefined;
  private maintenanceStore: MongoMaintenance | undefined;
  private feed: MongoChangeFeed | undefined;
  private rollupsStore: MongoRollups | undefined;
  private readonly listeners = new Set<(inserted?: InsertedChanges) => void>();

  constructor(url: string, options: MongoStoreOptions = {}) {
    this.url = url;
    this.options = options;
  }

  /** Connects and creates the indexes (idempotent). */
  async init(): Promise<void> {
    if (this.client !== undefined) return;
    const client = new MongoClient(this.url, this.options.client);
    try {
      await client.connect();
      const db = client.db(this.options.database);
      const name = this.options.collection ?? 'messages';
      const messages = db.collection<MongoMessageDocument>(name);
      const topics = db.collection<MongoTopicDocument>(`${name}_topics`);
      await messages.createIndexes([
        { key: { time: -1, _id: -1 }, name: 'time' },
        { key: { topic: 1, time: -1, _id: -1 }, name: 'topic_time' },
        { key: { category: 1, time: -1, _id: -1 }, name: 'category_time' },
        { key: { users: 1, time: -1 }, name: 'users_time' },
        { key: { packages: 1, time: -1 }, name: 'packages_time' },
        { key: { agent: 1, time: -1 }, name: 'agent_time' },
        { key: { archiveSeq: 1 }, name: 'archive_seq', sparse: true },
      ]);
      await topics.createIndex({ category: 1 }, { name: 'category' });
      await migrateMessageText(messages, db.collection<MongoTextMigrationDocument>(`${name}_migrations`), this.options.onMigrationProgress);
      const rollups = new MongoRollups(db, name, messages);
      await rollups.init();
      this.rollupsStore = rollups;
      this.client = client;
      this.messagesCollection = messages;
      this.catalogueStore = new MongoCatalogue(topics);
      this.maintenanceStore = new MongoMaintenance(db, name, messages, topics, rollups);
      this.feed = new MongoChangeFeed(messages, db.collection(`${name}_counters`));
    } catch (error) {
      await client.close().catch(() => undefined);
      throw toMongoStoreError(error, 'init');
    }
  }

  /** Unordered insert; duplicates of stored ids come back as duplicate-key errors and are reported as such. */
  async insertMany(messages: readonly ArchivedMessage[]): Promise<InsertResult> {
    const documents = messages.map(toMongoDocument);
    const { messages: collection } = this.collections();
    const unique: MongoMessageDocument[] = [];
    const duplicates: string[] = [];
    const seen = new Set<string>();
    for (const document of documents) {
      if (seen.has(document._id)) duplicates.push(document._id);
      else {
        seen.add(document._id);
        unique.push(document);
      }
    }
    if (unique.length === 0) return { inserted: [], duplicates };
    const first = await this.changeFeed().reserve(unique.length);
    unique.forEach((document, index) => {
      document.archiveSeq = first + index;
    });
    let refused = new Set<number>();
    let failed = new Set<number>();
    let failure: Error | undefined;
    try {
      await collection.insertMany(unique, { ordered: false, writeConcern: { w: 'majority', journal: true } });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw toMongoStoreError(error, 'insertMany');
      ({ duplicates: refused, failed, failure } = splitWriteErrors(error));
    }
    // Unordered: every document without a write error was inserted, whatever happened to the others.
    const inserted = unique.filter((_, index) => !refused.has(index) && !failed.has(index));
    duplicates.push(...unique.filter((_, index) => refused.has(index)).map((document) => document._id));
    if (inserted.length > 0) await this.catalogue().record(inserted);
    if (inserted.length > 0) this.notifyInserted(inserted, first);
    if (failure !== undefined) throw failure;
    return { inserted: inserted.map((document) => document._id), duplicates };
  }

  async find(query: MessageQuery): Promise<MessagePage> {
    const plan = toMongoFilter(query);
    const { messages } = this.collections();
    try {
      const total = await messages.countDocuments(plan.filter);
      const documents = await messages
        .find(plan.pageFilter)
        .sort(plan.sort)
        .skip(plan.skip)
        .limit(plan.limit)
        .toArray();
      const more = documents.length > plan.rowsPerPage;
      const shown = more ? documents.slice(0, plan.rowsPerPage) : documents;
      const last = shown[shown.length - 1];
      return {
        messages: shown.map(fromMongoDocument),
        total,
        page: plan.page,
        pages: Math.ceil(total / plan.rowsPerPage),
        rowsPerPage: plan.rowsPerPage,
        ...(more && last !== undefined
          ? { nextCursor: encodeCursor(plan.query, { time: last.time, id: last._id, page: plan.page + 1, window: plan.window }) }
          : {}),
      };
    } catch (error) {
      throw toMongoStoreError(error, 'find');
    }
  }

  async get(id: string): Promise<ArchivedMessage | undefined> {
    const { messages } = this.collections();
    try {
      const document = await messages.findOne({ _id: id });
      return document === null ? undefined : fromMongoDocument(document);
    } catch (error) {
      throw toMongoStoreError(error, 'get');
    }
  }

  /** With `estimate` and no filter: the collection's metadata count (`exact: false`). */
  async count(query: MessageQuery, options?: { estimate?: boolean }): Promise<CountResult> {
    const { query: valid } = checkQuery(query);
    const { messages } = this.collections();
    try {
      if (options?.estimate === true && selectsEverything(valid)) return { count: await messages.estimatedDocumentCount(), exact: false };
      return { count: await messages.countDocuments(toMongoFilter(valid).filter), exact: true };
    } catch (error) {
      throw toMongoStoreError(error, 'count');
    }
  }

  topics(query: TopicCatalogueQuery = {}): Promise<readonly TopicSummary[]> {
    return this.catalogue().list(query);
  }

  stats(): Promise<StoreStats> {
    return this.catalogue().stats();
  }

  /** By `archiveSeq`; see the class comment for what concurrent writers can cost a reader. */
  changes(after: string | undefined, limit: number, options: ChangesOptions = {}): Promise<ChangeBatch> {
    return this.changeFeed().read(after, limit, options);
  }

  changesHead(): Promise<string> {
    return this.changeFeed().head();
  }

  /** Listeners run after each `insertMany` of this instance that stored something. */
  onInserted(listener: (inserted?: InsertedChanges) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.messagesCollection = undefined;
    this.catalogueStore = undefined;
    this.maintenanceStore = undefined;
    this.feed = undefined;
    this.rollupsStore = undefined;
    await client?.close();
  }

  /** See {@link ArchiveMaintenance.deleteMessages}; the steps are separate writes (see {@link MongoMaintenance}). */
  deleteMessages(ids: readonly string[], options?: MaintenanceOptions): Promise<readonly string[]> {
    return this.maintenance().deleteIds(ids, options);
  }

  /** See {@link ArchiveMaintenance.redactMessage}. */
  redactMessage(id: string, paths: readonly RedactionPath[], options?: MaintenanceOptions): Promise<boolean> {
    return this.maintenance().redact(id, paths, options);
  }

  /** In batches of `batchSize` (oldest first), yielding between them; see {@link ArchiveMaintenance.prune}. */
  prune(selection: RetentionSelection, options: { readonly batchSize?: number; readonly signal?: AbortSignal } = {}): Promise<PruneResult> {
    return this.maintenance().prune(selection, options);
  }

  /**
   * A MongoDB archive is copied online by MongoDB's own tool, not by statbus: always rejects, with the command to run.
   *
   * @throws {StoreError} not retryable, naming `mongodump` and giving its command line.
   */
  backup(file: string): Promise<void> {
    return Promise.reject(mongodumpError(this.url, this.options.database, file));
  }

  rollupPositions(): Promise<Readonly<Record<string, RollupPosition>>> {
    return this.rollups().positions();
  }

  /** See {@link MongoRollups} for how a batch commits without multi-document transactions. */
  applyRollups(cells: readonly RollupCell[], advances: readonly RollupAdvance[]): Promise<boolean> {
    return this.rollups().apply(cells, advances);
  }

  readRollups(range: RollupRange): Promise<readonly RollupRow[]> {
    return this.rollups().read(range);
  }

  readRollupPage(range: RollupPageRange): Promise<RollupPage> {
    return this.rollups().page(range);
  }

  topRollups(range: RollupRange & { readonly field: string; readonly limit: number }): Promise<readonly { key: string; value: number }[]> {
    return this.rollups().top(range);
  }

  pruneRollups(plugin: string, interval: string, before: number): Promise<number> {
    return this.rollups().prune(plugin, interval, before);
  }

  resetRollups(plugin: string, since?: number): Promise<void> {
    return this.rollups().reset(plugin, since);
  }

  /** One aggregation: `$match` the query, `$group` by bucket. */
  countSeries(query: MessageQuery, intervalMs: number): Promise<readonly SeriesCount[]> {
    return this.rollups().series(query, intervalMs);
  }

  /** The database's storage and index sizes (`dbStats`). */
  storageBytes(): Promise<number> {
    return this.rollups().storageBytes();
  }

  private rollups(): MongoRollups {
    if (this.rollupsStore === undefined) throw notReady();
    return this.rollupsStore;
  }

  /**
   * The batch's sequence numbers were reserved for it alone: nothing else sits between the one before the first and
   * the last of them (numbers of documents not inserted are holes, as in the feed).
   */
  private notifyInserted(inserted: readonly MongoMessageDocument[], first: number): void {
    if (this.listeners.size === 0) return;
    // In reservation order, which is the order of `inserted`.
    const changes = inserted.map((document) => ({ position: String(document.archiveSeq), message: fromMongoDocument(document) }));
    const announced: InsertedChanges = { after: String(first - 1), changes };
    for (const listener of [...this.listeners]) {
      try {
        listener(announced);
      } catch {
        // A listener's failure is its own; the write succeeded.
      }
    }
  }

  private collections(): { messages: Collection<MongoMessageDocument> } {
    if (this.messagesCollection === undefined) throw notReady();
    return { messages: this.messagesCollection };
  }

  private changeFeed(): MongoChangeFeed {
    if (this.feed === undefined) throw notReady();
    return this.feed;
  }

  private catalogue(): MongoCatalogue {
    if (this.catalogueStore === undefined) throw notReady();
    return this.catalogueStore;
  }

  private maintenance(): MongoMaintenance {
    if (this.maintenanceStore === undefined) throw notReady();
    return this.maintenanceStore;
  }
}

function notReady(): StoreError {
  return new StoreError('MongoDB store: call init() first (or it was closed)', { retryable: false });
}
