import type { Readable } from 'node:stream';
import type { ArchivedMessage, MessageExtractor, MessageStore } from '@statbus/core';
import { importRecord } from './import-record.js';
import { readRecords, type InputRecord } from './read-records.js';

/** Progress and outcome of {@link importRecords}. */
export interface ImportSummary {
  /** Records read (refused ones included). */
  read: number;
  inserted: number;
  /** Already in the store (same id): left as they were. */
  duplicates: number;
  /** Records refused, by reason (the reason's first words). */
  readonly refused: Map<string, number>;
  /** The first refusals, with where they were, for the user to look at. */
  readonly examples: string[];
}

/** How many refusals are kept with their place. */
const EXAMPLES = 20;

function reasonKey(reason: string): string {
  return reason.split(/[:(]/u)[0]?.trim() ?? reason;
}

/** Options of {@link importRecords} and {@link importInputRecords}. */
export interface ImportOptions {
  readonly prefix?: string;
  /** Find users and packages in records that do not give them; default `@statbus/meta`'s `defaultExtractors()`. */
  readonly extractors?: readonly MessageExtractor[];
  readonly batchSize?: number;
  readonly onProgress?: (summary: Readonly<ImportSummary>) => void;
  /**
   * After the records are stored, a store that loads in bulk (SQLite) completes its deferred indexes (users,
   * packages, agents, text) before the import resolves; called after each step with the messages indexed so far.
   */
  readonly onIndexing?: (indexed: number, summary: Readonly<ImportSummary>) => void;
}

/** A store that takes a bulk load in one go and completes its deferred indexes afterwards (`SqliteMessageStore`). */
interface BulkLoadingStore {
  bulkLoad<T>(work: () => Promise<T>): Promise<T>;
  catchUpIndexes(maxRows?: number): Promise<number>;
}

function bulkLoadingStore(store: MessageStore): BulkLoadingStore | undefined {
  const candidate = store as Partial<BulkLoadingStore>;
  return typeof candidate.bulkLoad === 'function' && typeof candidate.catchUpIndexes === 'function' ? (store as unknown as BulkLoadingStore) : undefined;
}

/** Messages indexed per step of the catch-up that follows a bulk load: a progress report each. */
const INDEX_STEP = 100_000;

/**
 * Imports records (see {@link importRecord}) from `input` into `store` in batches, keeping original ids
 * and times. Idempotent: importing the same input twice stores nothing new. `onProgress` is called after
 * each batch.
 */
export function importRecords(store: MessageStore, input: Readable, options: ImportOptions = {}): Promise<ImportSummary> {
  return importInputRecords(store, readRecords(input), options);
}

/**
 * {@link importRecords} from records already read (a file's lines, a database's rows such as
 * `readDatanommer` yields): the same batches, refusals and summary.
 */
export async function importInputRecords(store: MessageStore, records: AsyncIterable<InputRecord>, options: ImportOptions = {}): Promise<ImportSummary> {
  const bulk = bulkLoadingStore(store);
  if (bulk === undefined) return importBatches(store, records, options);
  // Indexes are built after the rows, in large steps, not between the writes: no index work on the load's hot path.
  const summary = await bulk.bulkLoad(() => importBatches(store, records, options));
  let indexed = 0;
  for (let step = await bulk.catchUpIndexes(INDEX_STEP); step > 0; step = await bulk.catchUpIndexes(INDEX_STEP)) {
    indexed += step;
    options.onIndexing?.(indexed, summary);
  }
  return summary;
}

async function importBatches(store: MessageStore, records: AsyncIterable<InputRecord>, options: ImportOptions): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 1000;
  const summary: ImportSummary = { read: 0, inserted: 0, duplicates: 0, refused: new Map(), examples: [] };
  const refuse = (where: string, reason: string): void => {
    const key = reasonKey(reason);
    summary.refused.set(key, (summary.refused.get(key) ?? 0) + 1);
    if (summary.examples.length < EXAMPLES) summary.examples.push(`${where}: ${reason}`);
  };
  let batch: ArchivedMessage[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result = await store.insertMany(batch);
    summary.inserted += result.inserted.length;
    summary.duplicates += result.duplicates.length;
    batch = [];
    options.onProgress?.(summary);
  };
  for await (const record of records) {
    summary.read += 1;
    if ('error' in record) {
      refuse(record.where, record.error);
      continue;
    }
    const imported = importRecord(record.value, {
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      ...(options.extractors === undefined ? {} : { extractors: options.extractors }),
    });
    if (!imported.ok) {
      refuse(record.where, imported.reason);
      continue;
    }
    batch.push(imported.message);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
