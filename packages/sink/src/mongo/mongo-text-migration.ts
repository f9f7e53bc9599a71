import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import { searchableText } from '../query/message-text.js';
import type { MongoMessageDocument } from './mongo-document.js';

/** Documents rewritten per bulk write. */
const BATCH = 1000;

/** Where the rewrite of `text` stands, kept in `<collection>_migrations` so that it resumes after a restart. */
export interface MongoTextMigrationDocument {
  _id: 'text';
  /** The last `_id` rewritten, in `_id` order. */
  after?: string;
  done: boolean;
}

/** How far the rewrite of `text` has come: documents rewritten, and the documents there are. */
export interface MongoTextMigrationProgress {
  readonly rewritten: number;
  readonly total: number;
}

/**
 * The writes that set each document's `text` to its body's JSON as it is. Documents stored before
 * `contains` became case-sensitive hold it lower-cased, which a case-sensitive search cannot use.
 */
export function textRewrites(documents: readonly Pick<MongoMessageDocument, '_id' | 'body' | 'text'>[]): AnyBulkWriteOperation<MongoMessageDocument>[] {
  return documents
    .map((document) => ({ id: document._id, text: searchableText(document.body), was: document.text }))
    .filter(({ text, was }) => text !== was)
    .map(({ id, text }) => ({ updateOne: { filter: { _id: id }, update: { $set: { text } } } }));
}

/**
 * Rewrites the `text` of every stored document as it is now written (once per database, resumable: the last
 * `_id` done is saved after each batch), reporting progress after each batch. Documents written meanwhile already
 * hold the new text; rewriting one again changes nothing.
 */
export async function migrateMessageText(
  messages: Collection<MongoMessageDocument>,
  migrations: Collection<MongoTextMigrationDocument>,
  onProgress: (progress: MongoTextMigrationProgress) => void = () => undefined,
): Promise<void> {
  const state = await migrations.findOne({ _id: 'text' });
  if (state?.done === true) return;
  const total = await messages.estimatedDocumentCount();
  let after = state?.after;
  let rewritten = 0;
  for (;;) {
    const batch = await messages
      .find(after === undefined ? {} : { _id: { $gt: after } }, { projection: { _id: 1, body: 1, text: 1 }, sort: { _id: 1 }, limit: BATCH })
      .toArray();
    if (batch.length === 0) break;
    const writes = textRewrites(batch);
    if (writes.length > 0) await messages.bulkWrite(writes, { ordered: false });
    after = (batch[batch.length - 1] as MongoMessageDocument)._id;
    rewritten += batch.length;
    await migrations.updateOne({ _id: 'text' }, { $set: { after, done: false } }, { upsert: true });
    onProgress({ rewritten, total });
  }
  await migrations.updateOne({ _id: 'text' }, { $set: { done: true } }, { upsert: true });
}
