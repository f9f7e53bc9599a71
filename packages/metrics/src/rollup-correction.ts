import type { ArchivedMessage, CorrectedPlugin, RollupCell, RollupCorrection } from '@statbus/core';
import type { CatalogEntry, MetricsCatalog } from './metrics-catalog.js';
import { followsArchive } from './metrics-plugin.js';
import { RollupAccumulator } from './rollup-accumulator.js';

/**
 * The {@link RollupCorrection} of a catalog's plugins that follow the archive: what `statbus db delete` and `db redact`
 * (and the admin routes) give the store so that it takes a removed or redacted message out of the rollups in the same
 * transaction. A message's cells are computed as live counting computes them (same buckets, same retention, what a
 * plugin emitted before it threw kept, headers and body hidden from a plugin that does not read them), so live rollups
 * stay equal to rollups rebuilt from the archive.
 */
export function createRollupCorrection(catalog: MetricsCatalog, now: () => number = Date.now): RollupCorrection {
  const entries = new Map<string, CatalogEntry>();
  for (const entry of catalog.list()) if (followsArchive(entry.plugin)) entries.set(entry.plugin.name, entry);
  const plugins: CorrectedPlugin[] = [...entries.values()].map(({ plugin, intervals }) => ({
    name: plugin.name,
    key: plugin.key,
    intervals: intervals.map(({ name, ms }) => ({ name, ms })),
  }));
  return {
    plugins,
    cells(name: string, message: ArchivedMessage): readonly RollupCell[] {
      const entry = entries.get(name);
      if (entry === undefined) return [];
      const accumulator = new RollupAccumulator(now());
      accumulator.target(entry, message.envelope.time);
      const seen = entry.plugin.readsContent === false ? { ...message, envelope: { ...message.envelope, headers: {}, body: {} } } : message;
      try {
        entry.plugin.observe?.(seen, accumulator.emit);
      } catch {
        // Live counting keeps what the plugin emitted before it threw (the error is counted there): so does this.
      }
      return accumulator.cells();
    },
  };
}
