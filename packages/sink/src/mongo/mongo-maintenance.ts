import type { Collection, Db } from 'mongodb';
import { StoreError, redactUrl, type ArchivedMessage, type MaintenanceOptions, type PruneResult, type RedactionPath, type RetentionSelection } from '@statbus/core';
import { parseRedactionPaths, redactEnvelope, rederive } from '../retention/redact-envelope.js';
import { fromMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { toMongoStoreError } from './mongo-errors.js';
import { pruneFilter, redactionUpdate } from './mongo-maintenance-filters.js';
import { MongoRollupCorrection } from './mongo-rollup-correction.js';
import type { MongoRollups } from './mongo-rollups.js';
import type { MongoTopicDocument } from './mongo-catalogue.js';

/** Documents removed per batch by a prune. */
export const DEFAULT_MONGO_PRUNE_BATCH = 1000;

const WRITE_CONCERN = { writeConcern: { w: 'majority' as const, journal: true } };

/**
 * Deletes, redacts and prunes the MongoDB archive, keeping the topic catalogue (counts, first and last seen) and, when
 * asked, the metrics' rollups consistent. A standalone server has no multi-document transactions: each step is its own
 * write, in an order that never loses a message (the message goes first, then the catalogue, then the rollups), so a
 * crash midway leaves a catalogue or rollups one change behind — `statbus metrics rebuild` recounts the rollups.
 */
export class MongoMaintenance {
  constructor(
    private readonly db: Db,
    private readonly name: string,
    private readonly messages: Collection<MongoMessageDocument>,
    private readonly topics: Collection<MongoTopicDocument>,
    private readonly rollups: MongoRollups,
  ) {}

  async deleteIds(ids: readonly string[], options: MaintenanceOptions = {}): Promise<string[]> {
    try {
      const documents = await this.messages.find({ _id: { $in: [...ids] } }).toArray();
      if (documents.length === 0) return [];
      const { deletedCount } = await this.messages.deleteMany({ _id: { $in: documents.map((document) => document._id) } }, WRITE_CONCERN);
      if (deletedCount !== documents.length) {
        // Another process removed some meanwhile: count only what this call removed.
        const left = new Set((await this.messages.find({ _id: { $in: documents.map((document) => document._id) } }).project<{ _id: string }>({ _id: 1 }).toArray()).map((d) => d._id));
        documents.splice(0, documents.length, ...documents.filter((document) => !left.has(document._id)));
      }
      await this.uncatalogue(documents);
      if (options.rollups !== undefined) {
        const correction = await MongoRollupCorrection.open(this.db, this.name, this.messages, this.rollups, options.rollups);
        for (const document of documents) await correction.replace(document.archiveSeq, fromMongoDocument(document), undefined);
      }
      return documents.map((document) => document._id);
    } catch (error) {
      throw toMongoStoreError(error, 'deleteMessages');
    }
  }

  async redact(id: string, paths: readonly RedactionPath[], options: MaintenanceOptions = {}): Promise<boolean> {
    const targets = parseRedactionPaths(paths);
    try {
      const document = await this.messages.findOne({ _id: id });
      if (document === null) return false;
      const before = fromMongoDocument(document);
      const { headers, body } = redactEnvelope(before.envelope, targets);
      const keys = rederive(before, { ...before.envelope, headers, body }, options);
      const { signature: _signature, ...unsigned } = before.envelope;
      const after: ArchivedMessage = {
        envelope: { ...unsigned, headers, body },
        category: before.category,
        users: [...keys.users],
        packages: [...keys.packages],
        ...(keys.agent === undefined ? {} : { agent: keys.agent }),
      };
      await this.messages.updateOne({ _id: id }, redactionUpdate(after), WRITE_CONCERN);
      if (options.rollups !== undefined) {
        const correction = await MongoRollupCorrection.open(this.db, this.name, this.messages, this.rollups, options.rollups);
        await correction.replace(document.archiveSeq, before, after);
      }
      return true;
    } catch (error) {
      throw toMongoStoreError(error, 'redactMessage');
    }
  }

  /** Removes what `selection` names, oldest first, `batchSize` documents at a time, yielding between batches. */
  async prune(selection: RetentionSelection, options: { readonly batchSize?: number; readonly signal?: AbortSignal } = {}): Promise<PruneResult> {
    const batchSize = options.batchSize ?? DEFAULT_MONGO_PRUNE_BATCH;
    let deleted = 0;
    let batches = 0;
    while (options.signal?.aborted !== true) {
      const removed = await this.pruneBatch(selection, batchSize);
      if (removed === 0) break;
      deleted += removed;
      batches += 1;
      if (removed < batchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { deleted, batches };
  }

  /** Removes up to `limit` of the oldest documents `selection` names; returns how many. */
  async pruneBatch(selection: RetentionSelection, limit: number): Promise<number> {
    try {
      const documents = await this.messages
        .find(pruneFilter(selection))
        .sort({ time: 1, _id: 1 })
        .limit(limit)
        .project<Pick<MongoMessageDocument, '_id' | 'topic'>>({ _id: 1, topic: 1 })
        .toArray();
      if (documents.length === 0) return 0;
      const { deletedCount } = await this.messages.deleteMany({ _id: { $in: documents.map((document) => document._id) } }, WRITE_CONCERN);
      await this.uncatalogue(documents);
      return deletedCount;
    } catch (error) {
      throw toMongoStoreError(error, 'prune');
    }
  }

  /** Takes removed documents out of the topic catalogue: counts down, first and last seen from what remains. */
  private async uncatalogue(removed: readonly Pick<MongoMessageDocument, 'topic'>[]): Promise<void> {
    const byTopic = new Map<string, number>();
    for (const { topic } of removed) byTopic.set(topic, (byTopic.get(topic) ?? 0) + 1);
    for (const [topic, count] of byTopic) {
      const [first] = await this.messages.find({ topic }).sort({ time: 1 }).limit(1).project<{ time: number }>({ time: 1 }).toArray();
      const [last] = await this.messages.find({ topic }).sort({ time: -1 }).limit(1).project<{ time: number }>({ time: 1 }).toArray();
      if (first === undefined || last === undefined) await this.topics.deleteOne({ _id: topic }, WRITE_CONCERN);
      else await this.topics.updateOne({ _id: topic }, { $inc: { count: -count }, $set: { firstSeen: first.time, lastSeen: last.time } }, WRITE_CONCERN);
    }
  }
}

/** What `db backup` answers for a MongoDB archive: it is `mongodump`'s job; the error gives the command. */
export function mongodumpError(url: string, database: string | undefined, file: string): StoreError {
  const db = database === undefined ? '' : ` --db=${database}`;
  return new StoreError(
    `a MongoDB archive is backed up online by MongoDB's own tool, not by statbus: mongodump --uri="${redactUrl(url)}"${db} --archive=${file} --gzip ` +
      `(the password left out; mongorestore --uri=… --archive=${file} --gzip puts it back)`,
    { retryable: false },
  );
}
