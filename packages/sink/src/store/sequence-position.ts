import { MAX_CHANGES_LIMIT, QueryError } from '@statbus/core';

/**
 * Reads a change-feed position made of one archive sequence number (what both stores use: SQLite's `n`,
 * MongoDB's `archiveSeq`), `0` when `after` is undefined (before the first message).
 *
 * @throws {QueryError} naming `after` for anything else.
 */
export function parseSequencePosition(after: string | undefined): number {
  if (after === undefined) return 0;
  if (!/^(0|[1-9]\d{0,15})$/u.test(after)) throw new QueryError('after', `not a change position of this store: ${JSON.stringify(after.slice(0, 40))}`);
  return Number(after);
}

/**
 * Checks the `limit` of a change-feed read.
 *
 * @throws {QueryError} naming `limit` unless it is a whole number in 1..{@link MAX_CHANGES_LIMIT}.
 */
export function checkChangesLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES_LIMIT) {
    throw new QueryError('limit', `must be a whole number from 1 to ${MAX_CHANGES_LIMIT}`);
  }
}
