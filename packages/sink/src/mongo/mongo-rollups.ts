import { randomUUID } from 'node:crypto';
import { MongoBulkWriteError, MongoServerError, type AnyBulkWriteOperation, type Collection, type Db, type WriteError } from 'mongodb';
import type { MessageQuery, RollupAdvance, RollupCell, RollupPage, RollupPageRange, RollupPosition, RollupRange, RollupRow, SeriesCount } from '@statbus/core';
import { toMongoStoreError } from './mongo-errors.js';
import { rollupCellWrite, rollupGroupsBetweenFilter, rollupGroupsPipeline, rollupRangeFilter, seriesPipeline, topRollupsPipeline, type MongoRollupDocument } from './mongo-rollup-documents.js';
import type { MongoMessageDocument } from './mongo-document.js';

/** A plugin's position document in `<collection>_rollup_positions`. */
interface MongoPositionDocument {
  _id: string;
  position?: string;
  skipBefore?: number;
  skipUntil?: string;
  /** The batch holding this position while it writes its cells. */
  pending?: string;
}

/** A batch being written, in `<collection>_rollup_batches`: enough for another writer to finish it after a crash. */
interface MongoBatchDocument {
  _id: string;
  at: number;
  cells: RollupCell[];
  advances: RollupAdvance[];
}

/** A batch older than this is taken for crashed and finished (or undone) by the next writer. */
export const BATCH_LEASE_MS = 60_000;

const WRITE_CONCERN = { writeConcern: { w: 'majority' as const, journal: true } };

/**
 * The metrics' rollups in MongoDB, without multi-document transactions (a standalone server has none): a batch is
 * first saved whole, then each plugin's position is claimed by compare-and-set (one atomic update each), then the
 * cells are added (each `add` remembers the batch, so adding it again changes nothing) and the positions released
 * at their new value. A writer that dies midway leaves the saved batch: after {@link BATCH_LEASE_MS} the next
 * writer finishes it (all positions claimed) or undoes its claims (not all claimed), so nothing is lost or doubled.
 */
export class MongoRollups {
  private readonly rollups: Collection<MongoRollupDocument>;
  private readonly positionsCollection: Collection<MongoPositionDocument>;
  private readonly batches: Collection<MongoBatchDocument>;

  constructor(
    private readonly db: Db,
    name: string,
    private readonly messages: Collection<MongoMessageDocument>,
  ) {
    this.rollups = db.collection<MongoRollupDocument>(`${name}_rollups`);
    this.positionsCollection = db.collection<MongoPositionDocument>(`${name}_rollup_positions`);
    this.batches = db.collection<MongoBatchDocument>(`${name}_rollup_batches`);
  }

  async init(): Promise<void> {
    await this.rollups.createIndexes([
      { key: { p: 1, i: 1, b: 1, k: 1 }, name: 'plugin_interval_bucket' },
      { key: { p: 1, i: 1, k: 1, b: 1 }, name: 'plugin_interval_key' },
    ]);
  }

  async positions(): Promise<Record<string, RollupPosition>> {
    try {
      await this.recover();
      const documents = await this.positionsCollection.find({ position: { $exists: true } }).toArray();
      return Object.fromEntries(
        documents.map((d) => [
          d._id,
          { position: d.position ?? '0', ...(d.skipBefore === undefined ? {} : { skipBefore: d.skipBefore }), ...(d.skipUntil === undefined ? {} : { skipUntil: d.skipUntil }) },
        ]),
      );
    } catch (error) {
      throw toMongoStoreError(error, 'rollupPositions');
    }
  }

  async apply(cells: readonly RollupCell[], advances: readonly RollupAdvance[]): Promise<boolean> {
    try {
      if (advances.length === 0) {
        await this.writeCells(cells);
        return true;
      }
      const batch: MongoBatchDocument = { _id: randomUUID(), at: Date.now(), cells: [...cells], advances: [...advances] };
      await this.batches.insertOne(batch, WRITE_CONCERN);
      const claimed: string[] = [];
      for (const advance of advances) {
        if (!(await this.claim(advance, batch._id))) {
          await this.undo(batch, claimed);
          return false;
        }
        claimed.push(advance.plugin);
      }
      await this.finish(batch);
      return true;
    } catch (error) {
      throw toMongoStoreError(error, 'applyRollups');
    }
  }

  async read(range: RollupRange): Promise<RollupRow[]> {
    try {
      const documents = await this.rollups.find(rollupRangeFilter(range)).sort({ b: 1, k: 1, f: 1 }).toArray();
      return documents.map(toRow);
    } catch (error) {
      throw toMongoStoreError(error, 'readRollups');
    }
  }

  async page(range: RollupPageRange): Promise<RollupPage> {
    try {
      const [counted] = await this.rollups.aggregate<{ groups: number }>(rollupGroupsPipeline(range)).toArray();
      const groups = counted?.groups ?? 0;
      if (range.limit < 1) return { rows: [], groups };
      const bounds = await this.rollups.aggregate<{ _id: { b: number; k: string } }>(rollupGroupsPipeline(range, range)).toArray();
      const first = bounds[0]?._id;
      const last = bounds[bounds.length - 1]?._id;
      if (first === undefined || last === undefined) return { rows: [], groups };
      const [low, high] = range.order === 'desc' ? [last, first] : [first, last];
      const documents = await this.rollups.find(rollupGroupsBetweenFilter(range, low, high)).sort({ b: 1, k: 1, f: 1 }).toArray();
      return { rows: documents.map(toRow), groups };
    } catch (error) {
      throw toMongoStoreError(error, 'readRollupPage');
    }
  }

  async top(range: RollupRange & { field: string; limit: number }): Promise<{ key: string; value: number }[]> {
    try {
      const rows = await this.rollups.aggregate<{ _id: string; value: number }>(topRollupsPipeline(range)).toArray();
      return rows.map((row) => ({ key: row._id, value: row.value }));
    } catch (error) {
      throw toMongoStoreError(error, 'topRollups');
    }
  }

  async prune(plugin: string, interval: string, before: number): Promise<number> {
    try {
      return (await this.rollups.deleteMany({ p: plugin, i: interval, b: { $lt: before } })).deletedCount;
    } catch (error) {
      throw toMongoStoreError(error, 'pruneRollups');
    }
  }

  async reset(plugin: string, since?: number): Promise<void> {
    try {
      const was = await this.positionsCollection.findOneAndDelete({ _id: plugin });
      await this.rollups.deleteMany({ p: plugin, ...(since === undefined ? {} : { b: { $gte: since } }) }, WRITE_CONCERN);
      if (since !== undefined && was?.position !== undefined) {
        await this.positionsCollection.insertOne({ _id: plugin, position: '0', skipBefore: since, skipUntil: was.position }, WRITE_CONCERN);
      }
    } catch (error) {
      throw toMongoStoreError(error, 'resetRollups');
    }
  }

  async series(query: MessageQuery, intervalMs: number): Promise<SeriesCount[]> {
    const pipeline = seriesPipeline(query, intervalMs);
    try {
      const rows = await this.messages.aggregate<{ _id: number; count: number }>(pipeline).toArray();
      return rows.map((row) => ({ bucket: row._id, count: row.count }));
    } catch (error) {
      throw toMongoStoreError(error, 'countSeries');
    }
  }

  async storageBytes(): Promise<number> {
    try {
      const stats = (await this.db.command({ dbStats: 1 })) as { storageSize?: number; indexSize?: number };
      return (stats.storageSize ?? 0) + (stats.indexSize ?? 0);
    } catch (error) {
      throw toMongoStoreError(error, 'storageBytes');
    }
  }

  private async claim(advance: RollupAdvance, batch: string): Promise<boolean> {
    if (advance.from === undefined) {
      try {
        await this.positionsCollection.insertOne({ _id: advance.plugin, pending: batch }, WRITE_CONCERN);
        return true;
      } catch (error) {
        if (error instanceof MongoServerError && error.code === 11000) return false;
        throw error;
      }
    }
    const result = await this.positionsCollection.updateOne(
      { _id: advance.plugin, position: advance.from, pending: { $exists: false } },
      { $set: { pending: batch } },
      WRITE_CONCERN,
    );
    return result.modifiedCount === 1;
  }

  private async undo(batch: MongoBatchDocument, claimed: readonly string[]): Promise<void> {
    for (const plugin of claimed) {
      const advance = batch.advances.find((a) => a.plugin === plugin);
      if (advance?.from === undefined) await this.positionsCollection.deleteOne({ _id: plugin, pending: batch._id });
      else await this.positionsCollection.updateOne({ _id: plugin, pending: batch._id }, { $unset: { pending: '' } });
    }
    await this.batches.deleteOne({ _id: batch._id });
  }

  private async finish(batch: MongoBatchDocument): Promise<void> {
    await this.writeCells(batch.cells, batch._id);
    for (const advance of batch.advances) {
      await this.positionsCollection.updateOne({ _id: advance.plugin, pending: batch._id }, { $set: { position: advance.to }, $unset: { pending: '' } }, WRITE_CONCERN);
    }
    await this.batches.deleteOne({ _id: batch._id });
  }

  /** Finishes or undoes batches whose writer has not come back within the lease. */
  private async recover(): Promise<void> {
    const stale = await this.batches.find({ at: { $lt: Date.now() - BATCH_LEASE_MS } }).toArray();
    for (const batch of stale) {
      const held = await this.positionsCollection.countDocuments({ pending: batch._id });
      if (held === batch.advances.length) await this.finish(batch);
      else {
        const claimed = (await this.positionsCollection.find({ pending: batch._id }).toArray()).map((d) => d._id);
        await this.undo(batch, claimed);
      }
    }
  }

  private async writeCells(cells: readonly RollupCell[], batch?: string): Promise<void> {
    if (cells.length === 0) return;
    const operations = cells.map((cell) => ({ updateOne: rollupCellWrite(cell, batch) }) as AnyBulkWriteOperation<MongoRollupDocument>);
    try {
      await this.rollups.bulkWrite(operations, { ordered: false, ...WRITE_CONCERN });
    } catch (error) {
      // A duplicate `_id` from an upsert whose filter missed: that value already took this batch.
      if (error instanceof MongoBulkWriteError) {
        const errors = (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]) as WriteError[];
        if (errors.every((e) => e.code === 11000) && error.writeConcernError === undefined) return;
      }
      throw error;
    }
  }
}

function toRow(d: MongoRollupDocument): RollupRow {
  return { bucket: d.b, key: d.k, field: d.f, value: d.v, ...(d.t === undefined || d.t === null ? {} : { text: d.t }) };
}
