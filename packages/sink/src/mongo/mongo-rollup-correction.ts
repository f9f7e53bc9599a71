import type { Collection, Db } from 'mongodb';
import { maxCellWins, type ArchivedMessage, type CorrectedPlugin, type RollupCell, type RollupCorrection, type RollupPosition } from '@statbus/core';
import { fromMongoDocument, type MongoMessageDocument } from './mongo-document.js';
import { bucketFilter } from './mongo-maintenance-filters.js';
import { rollupCellId, type MongoRollupDocument } from './mongo-rollup-documents.js';
import type { MongoRollups } from './mongo-rollups.js';
import { correctionSteps, countedAt, rollupCellKey } from '../store/rollup-correction-steps.js';

const WRITE_CONCERN = { writeConcern: { w: 'majority' as const, journal: true } };

/**
 * The MongoDB side of a {@link RollupCorrection} (see `SqliteRollupCorrection`, whose rules it follows): a plugin counted
 * a message when its saved position (an `archiveSeq`) reached the message's; sums are taken back with `$inc` (a value
 * back at zero is removed), a maximum the message held is found again among its bucket's other counted messages.
 */
export class MongoRollupCorrection {
  private constructor(
    private readonly rollups: Collection<MongoRollupDocument>,
    private readonly messages: Collection<MongoMessageDocument>,
    private readonly positions: Readonly<Record<string, RollupPosition>>,
    private readonly correction: RollupCorrection,
  ) {}

  static async open(db: Db, name: string, messages: Collection<MongoMessageDocument>, rollups: MongoRollups, correction: RollupCorrection): Promise<MongoRollupCorrection> {
    return new MongoRollupCorrection(db.collection<MongoRollupDocument>(`${name}_rollups`), messages, await rollups.positions(), correction);
  }

  /** Replaces what `before` (change-feed position `seq`) added by what `after` adds; `after` undefined: it was removed. */
  async replace(seq: number | undefined, before: ArchivedMessage, after: ArchivedMessage | undefined): Promise<void> {
    for (const plugin of this.correction.plugins) {
      if (!this.counted(plugin.name, seq, before.envelope.time)) continue;
      for (const step of correctionSteps(this.correction, plugin.name, before, after)) {
        if (step.kind === 'add') await this.add(step.cell, step.delta);
        else await this.refind(plugin, step.cell);
      }
    }
  }

  private counted(plugin: string, seq: number | undefined, time: number): boolean {
    const saved = this.positions[plugin];
    // Documents stored before the change feed existed have no position: no plugin counted them from the feed.
    return saved !== undefined && seq !== undefined && countedAt(saved, seq, time);
  }

  private async add(cell: RollupCell, delta: number): Promise<void> {
    if (delta === 0) return;
    const _id = rollupCellId(cell);
    if (delta > 0) {
      await this.rollups.updateOne({ _id }, { $inc: { v: delta }, $setOnInsert: { p: cell.plugin, i: cell.interval, b: cell.bucket, k: cell.key, f: cell.field } }, { upsert: true, ...WRITE_CONCERN });
      return;
    }
    await this.rollups.updateOne({ _id }, { $inc: { v: delta } }, WRITE_CONCERN);
    await this.rollups.deleteOne({ _id, v: 0 }, WRITE_CONCERN);
  }

  private async refind(plugin: CorrectedPlugin, cell: RollupCell): Promise<void> {
    const ms = plugin.intervals.find((interval) => interval.name === cell.interval)?.ms;
    if (ms === undefined) return;
    const id = rollupCellKey(cell);
    let best: RollupCell | undefined;
    for await (const document of this.messages.find(bucketFilter(cell, ms, plugin.key))) {
      if (!this.counted(plugin.name, document.archiveSeq, document.time)) continue;
      for (const candidate of this.correction.cells(plugin.name, fromMongoDocument(document))) {
        if (rollupCellKey(candidate) !== id) continue;
        if (best === undefined || maxCellWins(candidate, best)) best = candidate;
      }
    }
    const _id = rollupCellId(cell);
    if (best === undefined) await this.rollups.deleteOne({ _id }, WRITE_CONCERN);
    else {
      const identity = { p: cell.plugin, i: cell.interval, b: cell.bucket, k: cell.key, f: cell.field };
      await this.rollups.replaceOne({ _id }, { ...identity, v: best.value, t: best.text ?? '' }, { upsert: true, ...WRITE_CONCERN });
    }
  }
}
