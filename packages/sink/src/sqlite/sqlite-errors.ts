import { StatbusError, StoreError } from '@statbus/core';

// Conditions that may pass: another writer holds the lock, the disk is full or failing for a moment.
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|NOMEM|INTERRUPT)/u;

/** Wraps what better-sqlite3 threw as a {@link StoreError}; statbus errors (a bad query) pass through. */
export function toStoreError(error: unknown, doing: string): Error {
  if (error instanceof StatbusError) return error;
  const code = (error as { code?: unknown }).code;
  const retryable = typeof code === 'string' && RETRYABLE.test(code);
  const why = error instanceof Error ? error.message : String(error);
  return new StoreError(`SQLite store: ${doing} failed: ${why}`, { retryable, cause: error });
}

/** Another connection holds the lock: worth trying again after other work has run. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/u.test(code);
}
