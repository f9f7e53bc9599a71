import type { ArchivedMessage, RollupCell, RollupCorrection } from '@statbus/core';

/** A rollup cell's identity within its plugin: interval, bucket, key and field. */
export function rollupCellKey(cell: RollupCell): string {
  return `${cell.interval}\u0000${cell.bucket}\u0000${cell.key}\u0000${cell.field}`;
}

/** What a store does to one cell: add `delta` to a sum, or find a maximum again among the bucket's messages. */
export type CorrectionStep = { readonly kind: 'add'; readonly cell: RollupCell; readonly delta: number } | { readonly kind: 'refind'; readonly cell: RollupCell };

/**
 * The steps that replace what `before` added to `plugin`'s rollups by what `after` adds (`after` undefined: the
 * message was removed): the same for every store, which only carries them out.
 */
export function correctionSteps(correction: RollupCorrection, plugin: string, before: ArchivedMessage, after: ArchivedMessage | undefined): CorrectionStep[] {
  const old = new Map(correction.cells(plugin, before).map((cell) => [rollupCellKey(cell), cell]));
  const now = new Map((after === undefined ? [] : correction.cells(plugin, after)).map((cell) => [rollupCellKey(cell), cell]));
  const steps: CorrectionStep[] = [];
  for (const id of new Set([...old.keys(), ...now.keys()])) {
    const was = old.get(id);
    const is = now.get(id);
    const cell = (was ?? is) as RollupCell;
    if (cell.op === 'add') steps.push({ kind: 'add', cell, delta: (is?.value ?? 0) - (was?.value ?? 0) });
    else if (was?.value !== is?.value || was?.text !== is?.text) steps.push({ kind: 'refind', cell });
  }
  return steps;
}

/**
 * Whether a plugin at `saved` has counted the message at change-feed position `n` of time `time` (positions are
 * numbers in both stores; see `RollupPosition` for what a partial rebuild leaves).
 */
export function countedAt(saved: { readonly position: string; readonly skipBefore?: number | undefined; readonly skipUntil?: string | undefined }, n: number, time: number): boolean {
  if (n <= Number(saved.position)) return true;
  return saved.skipUntil !== undefined && saved.skipBefore !== undefined && time < saved.skipBefore && n <= Number(saved.skipUntil);
}
