import type { Collection } from 'mongodb';
import type { ChangeBatch, ChangesOptions } from '@statbus/core';
import { checkChangesLimit, parseSequencePosition } from '../store/sequence-position.js';
import { fromMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { toMongoStoreError } from './mongo-errors.js';

/** The change-feed counter, in `<collection>_counters`. */
export interface MongoCounterDocument {
  _id: string;
  value: number;
}

/**
 * The MongoDB archive's change feed: `insertMany` reserves a range of `archiveSeq` numbers (one `$inc` on a counter
 * document) before writing, and readers read by `archiveSeq` (see `MongoMessageStore` for its limits).
 */
export class MongoChangeFeed {
  constructor(
    private readonly messages: Collection<MongoMessageDocument>,
    private readonly counters: Collection<MongoCounterDocument>,
  ) {}

  /** By `archiveSeq`; see the class comment for what concurrent writers can cost a reader. */
  async read(after: string | undefined, limit: number, options: ChangesOptions = {}): Promise<ChangeBatch> {
    const from = parseSequencePosition(after);
    checkChangesLimit(limit);
    const { messages } = this;
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

  /** The newest `archiveSeq` (`0` when none). */
  async head(): Promise<string> {
    const { messages } = this;
    try {
      const newest = await messages.find({ archiveSeq: { $gt: 0 } }).sort({ archiveSeq: -1 }).limit(1).project<{ archiveSeq: number }>({ archiveSeq: 1 }).toArray();
      return String(newest[0]?.archiveSeq ?? 0);
    } catch (error) {
      throw toMongoStoreError(error, 'changesHead');
    }
  }

  /** Reserves `count` sequence numbers; returns the first. */
  async reserve(count: number): Promise<number> {
    const { counters } = this;
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
}
