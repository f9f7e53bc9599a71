import { QueryError, type MessageQuery, type RollupCell, type RollupRange } from '@statbus/core';
import { toMongoFilter, type MongoFilter } from './to-mongo-filter.js';

/** One rollup value in `<collection>_rollups`. */
export interface MongoRollupDocument {
  /** {@link rollupCellId}: unique per plugin × interval × bucket × key × field. */
  _id: string;
  p: string;
  i: string;
  b: number;
  k: string;
  f: string;
  v: number;
  t?: string;
  /** The last batches added to this value (`add` values only): a batch finished again after a crash adds nothing. */
  applied?: string[];
}

/** Batches remembered per value: far more than can be in flight at once. */
export const APPLIED_BATCHES_KEPT = 16;

/** The `_id` of a cell's document (fields joined by a character no interval, bucket or field holds). */
export function rollupCellId(cell: Pick<RollupCell, 'plugin' | 'interval' | 'bucket' | 'key' | 'field'>): string {
  return JSON.stringify([cell.plugin, cell.interval, cell.bucket, cell.key, cell.field]);
}

/** An upsert of one cell, as a `bulkWrite` `updateOne`. */
export interface MongoRollupWrite {
  readonly filter: MongoFilter;
  readonly update: MongoFilter | MongoFilter[];
  readonly upsert: true;
}

/**
 * The upsert that adds `cell`. `add` with a `batch`: only if the document has not taken that batch already (the
 * filter then misses and the upsert fails on the duplicate `_id`, which the writer ignores). `max`: an update
 * pipeline keeping the larger (value, text), idempotent by nature.
 */
export function rollupCellWrite(cell: RollupCell, batch?: string): MongoRollupWrite {
  const _id = rollupCellId(cell);
  const identity = { p: cell.plugin, i: cell.interval, b: cell.bucket, k: cell.key, f: cell.field };
  if (cell.op === 'add') {
    if (batch === undefined) return { filter: { _id }, update: { $inc: { v: cell.value }, $setOnInsert: identity }, upsert: true };
    return {
      filter: { _id, applied: { $ne: batch } },
      update: { $inc: { v: cell.value }, $setOnInsert: identity, $push: { applied: { $each: [batch], $slice: -APPLIED_BATCHES_KEPT } } },
      upsert: true,
    };
  }
  const text = cell.text ?? '';
  const wins = {
    $or: [
      { $eq: [{ $type: '$v' }, 'missing'] },
      { $gt: [cell.value, '$v'] },
      { $and: [{ $eq: [cell.value, '$v'] }, { $gt: [text, { $ifNull: ['$t', ''] }] }] },
    ],
  };
  return {
    filter: { _id },
    // One $set stage: both expressions read the document as it was.
    update: [{ $set: { ...identity, v: { $cond: [wins, cell.value, '$v'] }, t: { $cond: [wins, text, '$t'] } } }],
    upsert: true,
  };
}

/** The filter of {@link RollupRange}. */
export function rollupRangeFilter(range: RollupRange): MongoFilter {
  const filter: MongoFilter = { p: range.plugin, i: range.interval };
  if (range.start !== undefined || range.end !== undefined) {
    filter['b'] = { ...(range.start === undefined ? {} : { $gte: range.start }), ...(range.end === undefined ? {} : { $lt: range.end }) };
  }
  if (range.keys !== undefined) filter['k'] = { $in: [...range.keys] };
  if (range.fields !== undefined) filter['f'] = { $in: [...range.fields] };
  return filter;
}

/** The aggregation of the (bucket, key) groups of a range, in `order`: all of them, or `offset` skipped and at most `limit`. */
export function rollupGroupsPipeline(range: RollupRange, page?: { offset: number; limit: number; order?: 'asc' | 'desc' }): MongoFilter[] {
  const grouped: MongoFilter[] = [{ $match: rollupRangeFilter(range) }, { $group: { _id: { b: '$b', k: '$k' } } }];
  if (page === undefined) return [...grouped, { $count: 'groups' }];
  const direction = page.order === 'desc' ? -1 : 1;
  return [...grouped, { $sort: { '_id.b': direction, '_id.k': direction } }, { $skip: page.offset }, { $limit: page.limit }];
}

/** The values of the range whose (bucket, key) lies from `low` to `high`, both included. */
export function rollupGroupsBetweenFilter(range: RollupRange, low: { b: number; k: string }, high: { b: number; k: string }): MongoFilter {
  return {
    $and: [
      rollupRangeFilter(range),
      { $or: [{ b: { $gt: low.b } }, { b: low.b, k: { $gte: low.k } }] },
      { $or: [{ b: { $lt: high.b } }, { b: high.b, k: { $lte: high.k } }] },
    ],
  };
}

/** The aggregation of {@link RollupStore.topRollups}: the field summed per key, largest first. */
export function topRollupsPipeline(range: RollupRange & { field: string; limit: number }): MongoFilter[] {
  return [
    { $match: rollupRangeFilter({ ...range, fields: [range.field] }) },
    { $group: { _id: '$k', value: { $sum: '$v' } } },
    { $sort: { value: -1, _id: 1 } },
    { $limit: range.limit },
  ];
}

/** The aggregation of {@link RollupStore.countSeries}: the query's messages grouped by bucket, in one pass. */
export function seriesPipeline(query: MessageQuery, intervalMs: number): MongoFilter[] {
  if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new QueryError('interval', 'must be a whole number of milliseconds from 1');
  const { filter } = toMongoFilter(query);
  return [
    { $match: filter },
    { $group: { _id: { $subtract: ['$time', { $mod: ['$time', intervalMs] }] }, count: { $sum: 1 } } },
    { $sort: { _id: 1 } },
  ];
}
