import { MongoBulkWriteError, MongoClient, type Collection, type Filter, type MongoClientOptions } from 'mongodb';
import {
  StoreError,
  type ArchivedMessage,
  type ChangeBatch,
  type ChangesOptions,
  type CountResult,
  type InsertedChanges,
  type InsertResult,
  type MessagePage,
  type MessageQuery,
  type MessageStore,
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
import { validateCatalogueQuery } from '../query/validate-catalogue-query.js';
import { fromMongoDocument, toMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { splitWriteErrors, toMongoStoreError } from './mongo-errors.js';
import { MongoRollups } from './mongo-rollups.js';
import { toMongoFilter } from './to-mongo-filter.js';
import { checkChangesLimit, parseSequencePosition } from '../sqlite/sequence-position.js';

/** Options of {@link MongoMessageStore}. */
export interface MongoStoreOptions {
  /** Database name; default: the one in the URL path, else `statbus`. */
  readonly database?: string;
  /** Collection of messages; default `messages` (the topic catalogue is `<collection>_topics`). */
  readonly collection?: string;
  /** Passed to `MongoClient` (timeouts, TLS…). */
  readonly client?: MongoClientOptions;
}

/** One topic of the catalogue collection, kept by `insertMany`. */
export interface MongoTopicDocument {
  _id: string;
  category: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

/** The change-feed counter, in `<collection>_counters`. */
interface MongoCounterDocument {
  _id: string;
  value: number;
}

/**
 * The production archive on MongoDB, with the official driver. Documents are shaped by
 * {@link toMongoDocument}; queries are translated by the pure {@link toMongoFilter}.
 *
 * Indexes: `_id` (the message id, unique), `(time, _id)`, `(topic, time, _id)`, `(category, time, _id)`,
 * `(users, time)`, `(packages, time)`, `(agent, time)`. `contains` is a regex over the lower-cased `text`
 * field: substring semantics like datagrepper, which no MongoDB index serves (`$text` matches words, not
 * substrings), so it is evaluated over the candidates the other filters and the time index select.
 * Writes use `w: "majority", j: true`: `insertMany` resolves when the batch is journaled.
 *
 * Change feed: `insertMany` reserves a range of `archiveSeq` numbers (one `$inc` on a counter document)
 * before writing, and {@link MongoMessageStore.changes} reads by `archiveSeq`. Limits, honestly: with one
 * archiver writing (the usual deployment, batches written one after another) the feed misses nothing; with
 * several concurrent writers a batch that reserved lower numbers but commits after a higher one can be
 * passed by a reader that polled in between (change streams would close that gap but need a replica set).
 * Documents stored before this field existed are not in the feed, and duplicates leave holes in the numbers.
 */
export class MongoMessageStore implements MessageStore, RollupStore {
  readonly url: string;
  private readonly options: MongoStoreOptions;
  private client: MongoClient | undefined;
  private messagesCollection: Collection<MongoMessageDocument> | undefined;
  private topicsCollection: Collection<MongoTopicDocument> | undefined;
  private countersCollection: Collection<MongoCounterDocument> | undefined;
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
      const rollups = new MongoRollups(db, name, messages);
      await rollups.init();
      this.rollupsStore = rollups;
      this.client = client;
      this.messagesCollection = messages;
      this.topicsCollection = topics;
      this.countersCollection = db.collection<MongoCounterDocument>(`${name}_counters`);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw toMongoStoreError(error, 'init');
    }
  }

  /** Unordered insert; duplicates of stored ids come back as duplicate-key errors and are reported as such. */
  async insertMany(messages: readonly ArchivedMessage[]): Promise<InsertResult> {
    const documents = messages.map(toMongoDocument);
    const { messages: collection, topics } = this.collections();
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
    const first = await this.reserveSequence(unique.length);
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
    if (inserted.length > 0) await this.updateCatalogue(topics, inserted);
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

  async topics(query: TopicCatalogueQuery = {}): Promise<readonly TopicSummary[]> {
    const valid = validateCatalogueQuery(query);
    const filter: Filter<MongoTopicDocument> = {};
    if (valid.categories !== undefined && valid.categories.length > 0) filter.category = { $in: [...valid.categories] };
    if (valid.start !== undefined) filter.lastSeen = { $gte: valid.start };
    if (valid.end !== undefined) filter.firstSeen = { $lt: valid.end };
    try {
      const documents = await this.collections().topics.find(filter).sort({ _id: 1 }).toArray();
      return documents.map((d) => ({ topic: d._id, category: d.category, count: d.count, firstSeen: d.firstSeen, lastSeen: d.lastSeen }));
    } catch (error) {
      throw toMongoStoreError(error, 'topics');
    }
  }

  async stats(): Promise<StoreStats> {
    const summaries = await this.topics();
    const byCategory: Record<string, number> = {};
    const byTopic: Record<string, number> = {};
    let total = 0;
    for (const summary of summaries) {
      byTopic[summary.topic] = summary.count;
      byCategory[summary.category] = (byCategory[summary.category] ?? 0) + summary.count;
      total += summary.count;
    }
    if (summaries.length === 0) return { total, byCategory, byTopic };
    return {
      total,
      byCategory,
      byTopic,
      first: Math.min(...summaries.map((s) => s.firstSeen)),
      last: Math.max(...summaries.map((s) => s.lastSeen)),
    };
  }

  /** By `archiveSeq`; see the class comment for what concurrent writers can cost a reader. */
  async changes(after: string | undefined, limit: number, options: ChangesOptions = {}): Promise<ChangeBatch> {
    const from = parseSequencePosition(after);
    checkChangesLimit(limit);
    const { messages } = this.collections();
    try {
      const found = messages.find({ archiveSeq: { $gt: from } }).sort({ archiveSeq: 1 }).limit(limit);
      // Without content the server leaves headers and body out; the documents get them back empty.
      const documents = options.content === false ? (await found.project<Omit<MongoMessageDocument, 'headers' | 'body' | 'text'>>({ headers: 0, body: 0, text: 0 }).toArray()).map((document) => ({ ...document, headers: {}, body: {}, text: '' })) : await found.toArray();
      const last = documents[documents.length - 1];
      return {
        changes: documents.map((document) => ({ position: String(document.archiveSeq), message: fromMongoDocument(document) })),
        position: String(last?.archiveSeq ?? from),
      };
    } catch (error) {
      throw toMongoStoreError(error, 'changes');
    }
  }

  async changesHead(): Promise<string> {
    const { messages } = this.collections();
    try {
      const newest = await messages.find({ archiveSeq: { $gt: 0 } }).sort({ archiveSeq: -1 }).limit(1).project<{ archiveSeq: number }>({ archiveSeq: 1 }).toArray();
      return String(newest[0]?.archiveSeq ?? 0);
    } catch (error) {
      throw toMongoStoreError(error, 'changesHead');
    }
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
    this.topicsCollection = undefined;
    this.countersCollection = undefined;
    this.rollupsStore = undefined;
    await client?.close();
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
    if (this.rollupsStore === undefined) throw new StoreError('MongoDB store: call init() first (or it was closed)', { retryable: false });
    return this.rollupsStore;
  }

  /** Reserves `count` sequence numbers; returns the first. */
  private async reserveSequence(count: number): Promise<number> {
    const counters = this.countersCollection;
    if (counters === undefined) throw new StoreError('MongoDB store: call init() first (or it was closed)', { retryable: false });
    try {
      const after = await counters.findOneAndUpdate(
        { _id: 'archive' },
        { $inc: { value: count } },
        { upsert: true, returnDocument: 'after', writeConcern: { w: 'majority', journal: true } },
      );
      return (after?.value ?? count) - count + 1;
    } catch (error) {
      throw toMongoStoreError(error, 'insertMany (change sequence)');
    }
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

  private async updateCatalogue(topics: Collection<MongoTopicDocument>, inserted: readonly MongoMessageDocument[]): Promise<void> {
    const byTopic = new Map<string, MongoTopicDocument>();
    for (const document of inserted) {
      const summary = byTopic.get(document.topic);
      if (summary === undefined) {
        byTopic.set(document.topic, { _id: document.topic, category: document.category, count: 1, firstSeen: document.time, lastSeen: document.time });
      } else {
        summary.count += 1;
        summary.firstSeen = Math.min(summary.firstSeen, document.time);
        summary.lastSeen = Math.max(summary.lastSeen, document.time);
      }
    }
    try {
      await topics.bulkWrite(
        [...byTopic.values()].map((summary) => ({
          updateOne: {
            filter: { _id: summary._id },
            update: {
              $inc: { count: summary.count },
              $min: { firstSeen: summary.firstSeen },
              $max: { lastSeen: summary.lastSeen },
              $setOnInsert: { category: summary.category },
            },
            upsert: true,
          },
        })),
        { ordered: false, writeConcern: { w: 'majority', journal: true } },
      );
    } catch (error) {
      throw toMongoStoreError(error, 'insertMany (topic catalogue)');
    }
  }

  private collections(): { messages: Collection<MongoMessageDocument>; topics: Collection<MongoTopicDocument> } {
    if (this.messagesCollection === undefined || this.topicsCollection === undefined) {
      throw new StoreError('MongoDB store: call init() first (or it was closed)', { retryable: false });
    }
    return { messages: this.messagesCollection, topics: this.topicsCollection };
  }
}
