import { maxCellWins, type RollupCell } from '@statbus/core';

/** Merges cells of the same plugin, interval, bucket, key and field (a store may take each only once per write). */
export function mergeCells(cells: readonly RollupCell[]): RollupCell[] {
  const merged = new Map<string, RollupCell>();
  for (const cell of cells) {
    const id = `${cell.plugin}\u0000${cell.interval}\u0000${cell.bucket}\u0000${cell.key}\u0000${cell.field}`;
    const found = merged.get(id);
    if (found === undefined) merged.set(id, cell);
    else if (cell.op === 'add') merged.set(id, { ...found, value: found.value + cell.value });
    else if (maxCellWins(cell, found)) merged.set(id, cell);
  }
  return [...merged.values()];
}

/**
 * The batch's cells with the pending event cells: merged only when a plugin has both (one that observes messages and
 * records events), as both lists are already merged within themselves.
 */
export function withPending(cells: RollupCell[], pending: readonly RollupCell[]): RollupCell[] {
  if (pending.length === 0) return cells;
  const plugins = new Set(pending.map((cell) => cell.plugin));
  if (cells.some((cell) => plugins.has(cell.plugin))) return mergeCells([...cells, ...pending]);
  for (const cell of pending) cells.push(cell);
  return cells;
}
