import { maxCellWins, type ArchivedMessage, type CorrectedPlugin, type RollupCell, type RollupCorrection } from '@statbus/core';
import { rowToMessage, type MessageRow } from './schema/sqlite-rows.js';
import type { SqliteStatementCache } from './cache/sqlite-statement-cache.js';
import { correctionSteps, countedAt, rollupCellKey } from '../store/rollup-correction-steps.js';

interface SavedPosition {
  readonly position: string;
  readonly skipBefore: number | undefined;
  readonly skipUntil: string | undefined;
}

const CELL = 'plugin = ? AND interval = ? AND bucket = ? AND key = ? AND field = ?';
const cellParams = (cell: RollupCell): (string | number)[] => [cell.plugin, cell.interval, cell.bucket, cell.key, cell.field];

/**
 * Applies a {@link RollupCorrection} inside a maintenance transaction of the SQLite archive: a removed message's values
 * are taken out of the rollups of each plugin that counted it (by its saved change-feed position; a plugin behind the
 * message will simply never see it), and a redacted one's old values are replaced by its new ones. Sums are
 * subtracted (a value back at zero is removed, as a rebuild would not write it); a maximum the message held is found
 * again among the other messages of its bucket — of its key too, for a plugin keyed by topic or category, which is
 * taken to key by the message's own.
 */
export class SqliteRollupCorrection {
  private readonly positions = new Map<string, SavedPosition>();

  constructor(
    private readonly statements: SqliteStatementCache,
    private readonly correction: RollupCorrection,
  ) {
    const rows = this.statements.get('SELECT plugin, position, skip_before, skip_until FROM rollup_positions').all() as {
      plugin: string;
      position: string;
      skip_before: number | null;
      skip_until: string | null;
    }[];
    for (const row of rows) this.positions.set(row.plugin, { position: row.position, skipBefore: row.skip_before ?? undefined, skipUntil: row.skip_until ?? undefined });
  }

  /** Takes out what `message` (row `n`, now gone from `messages`) added. */
  removed(n: number, message: ArchivedMessage): void {
    this.replace(n, message, undefined);
  }

  /** Replaces what `before` (row `n`) added by what `after` (the row as it is now) adds. */
  replace(n: number, before: ArchivedMessage, after: ArchivedMessage | undefined): void {
    for (const plugin of this.correction.plugins) {
      if (!this.counted(plugin.name, n, before.envelope.time)) continue;
      for (const step of correctionSteps(this.correction, plugin.name, before, after)) {
        if (step.kind === 'add') this.add(step.cell, step.delta);
        else this.refind(plugin, step.cell);
      }
    }
  }

  /** Whether `plugin` has counted the message at row `n` of time `time` (see `RollupPosition`). */
  private counted(plugin: string, n: number, time: number): boolean {
    const saved = this.positions.get(plugin);
    // This store's positions are row numbers (see `SqliteMessageStore.changes`).
    return saved !== undefined && countedAt(saved, n, time);
  }

  private add(cell: RollupCell, delta: number): void {
    if (delta === 0) return;
    if (delta > 0) {
      this.statements
        .get('INSERT INTO rollups (plugin, interval, bucket, key, field, value, text) VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT DO UPDATE SET value = value + excluded.value')
        .run(...cellParams(cell), delta);
      return;
    }
    this.statements.get(`UPDATE rollups SET value = value + ? WHERE ${CELL}`).run(delta, ...cellParams(cell));
    this.statements.get(`DELETE FROM rollups WHERE ${CELL} AND value = 0`).run(...cellParams(cell));
  }

  /** Sets a maximum cell to the largest value the counted messages of its bucket (and key) give it now. */
  private refind(plugin: CorrectedPlugin, cell: RollupCell): void {
    const ms = plugin.intervals.find((interval) => interval.name === cell.interval)?.ms;
    if (ms === undefined) return;
    const column = plugin.key === 'topic' ? 'topic' : plugin.key === 'category' ? 'category' : undefined;
    const rows = (
      column === undefined
        ? this.statements.get('SELECT * FROM messages WHERE time >= ? AND time < ?').all(cell.bucket, cell.bucket + ms)
        : this.statements.get(`SELECT * FROM messages WHERE ${column} = ? AND time >= ? AND time < ?`).all(cell.key, cell.bucket, cell.bucket + ms)
    ) as MessageRow[];
    let best: RollupCell | undefined;
    const id = rollupCellKey(cell);
    for (const row of rows) {
      if (!this.counted(plugin.name, row.n, row.time)) continue;
      for (const candidate of this.correction.cells(plugin.name, rowToMessage(row))) {
        if (rollupCellKey(candidate) !== id) continue;
        if (best === undefined || maxCellWins(candidate, best)) best = candidate;
      }
    }
    this.statements.get(`DELETE FROM rollups WHERE ${CELL}`).run(...cellParams(cell));
    if (best !== undefined) {
      this.statements.get('INSERT INTO rollups (plugin, interval, bucket, key, field, value, text) VALUES (?, ?, ?, ?, ?, ?, ?)').run(...cellParams(best), best.value, best.text ?? null);
    }
  }
}
