import { MongoError, MongoNetworkError, MongoServerSelectionError, MongoWriteConcernError, type MongoBulkWriteError, type WriteError } from 'mongodb';
import { StatbusError, StoreError } from '@statbus/core';

/** Wraps what the driver threw as a {@link StoreError}; statbus errors (a bad query) pass through. */
export function toMongoStoreError(error: unknown, doing: string): Error {
  if (error instanceof StatbusError) return error;
  const retryable =
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoWriteConcernError ||
    (error instanceof MongoError &&
      (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError') || error.hasErrorLabel('ResetPool')));
  const why = error instanceof Error ? error.message : String(error);
  return new StoreError(`MongoDB store: ${doing} failed: ${why}`, { retryable, cause: error });
}

/**
 * Sorts the write errors of an unordered insert: indexes (into the batch) refused as duplicate keys, indexes
 * refused for another reason, and the error to throw for those (or for a write concern failure).
 */
export function splitWriteErrors(error: MongoBulkWriteError): { duplicates: Set<number>; failed: Set<number>; failure?: Error } {
  const writeErrors: WriteError[] = Array.isArray(error.writeErrors) ? (error.writeErrors as WriteError[]) : [error.writeErrors as WriteError];
  const duplicates = new Set<number>();
  const failed = new Set<number>();
  let failure: Error | undefined;
  for (const writeError of writeErrors) {
    if (writeError.code === 11000) {
      duplicates.add(writeError.index);
      continue;
    }
    failed.add(writeError.index);
    failure ??= new StoreError(`MongoDB store: document ${writeError.index} of the batch refused: ${writeError.errmsg ?? writeError.code}`, {
      retryable: false,
      cause: error,
    });
  }
  if (failure === undefined && error.err !== undefined) failure = toMongoStoreError(error, 'insertMany');
  return failure === undefined ? { duplicates, failed } : { duplicates, failed, failure };
}
