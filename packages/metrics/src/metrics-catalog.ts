import { METRICS_DEFAULTS, parseDurationMs, parseIntervalMs } from '@statbus/core';
import { METRICS_KEYS, type MetricsPlugin } from './metrics-plugin.js';
import { PluginError } from './plugin-error.js';

/** An interval kept by a plugin. */
export interface KeptInterval {
  readonly name: string;
  readonly ms: number;
  /** Buckets older than this many ms are pruned; `undefined`: kept for ever. */
  readonly retentionMs?: number;
}

/** A plugin with what the catalog resolved for it. */
export interface CatalogEntry {
  readonly plugin: MetricsPlugin;
  /** Shortest first. */
  readonly intervals: readonly KeptInterval[];
  /** The greatest common divisor of the intervals: values are gathered at this grain, then rolled up. */
  readonly grainMs: number;
  /** The least common multiple of the intervals: a rebuild from a time starts at a multiple of it. */
  readonly alignMs: number;
}

/** What `GET /stats/` lists about a plugin. */
export interface PluginDescription {
  readonly name: string;
  readonly description: string;
  readonly intervals: readonly string[];
  readonly key: string | null;
  readonly fields: readonly string[];
}

/** Options of {@link MetricsCatalog}: the `[metrics]` intervals and retention. */
export interface MetricsCatalogOptions {
  readonly intervals?: readonly string[];
  readonly retention?: Readonly<Record<string, string>>;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/u;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The plugins in use, checked once: unique well-formed names, known keys, valid intervals. Shared by the engine
 * (which writes) and the readers (the query API), so both agree on intervals and fields.
 *
 * @throws {PluginError} naming the plugin that is badly defined.
 */
export class MetricsCatalog {
  private readonly entries = new Map<string, CatalogEntry>();

  constructor(plugins: readonly MetricsPlugin[], options: MetricsCatalogOptions = {}) {
    const defaults = options.intervals ?? METRICS_DEFAULTS.intervals;
    const retention = options.retention ?? METRICS_DEFAULTS.retention;
    for (const plugin of plugins) {
      const name = typeof plugin.name === 'string' ? plugin.name : String(plugin.name);
      if (!NAME.test(name)) throw new PluginError(name, `plugin name ${JSON.stringify(name)}: use lower-case letters, digits, - and _ (at most 63)`);
      if (this.entries.has(name)) throw new PluginError(name, `two plugins are named ${JSON.stringify(name)}`);
      if (plugin.key !== null && !(METRICS_KEYS as readonly string[]).includes(plugin.key)) {
        throw new PluginError(name, `plugin ${name}: key ${JSON.stringify(plugin.key)} is not one of ${METRICS_KEYS.join(', ')} (or null)`);
      }
      if (!Array.isArray(plugin.fields) || plugin.fields.length === 0) throw new PluginError(name, `plugin ${name}: fields must list at least one field`);
      if (typeof plugin.observe !== 'function' && typeof plugin.record !== 'function') throw new PluginError(name, `plugin ${name}: needs observe(message, emit) or record(event, emit)`);
      const names = [...new Set(plugin.intervals ?? defaults)];
      const intervals = names
        .map((interval): KeptInterval => {
          const ms = parseIntervalMs(interval);
          if (ms === undefined) throw new PluginError(name, `plugin ${name}: interval ${JSON.stringify(interval)} is not one such as 1m, 1h, 1d`);
          const keep = retention[interval];
          const retentionMs = keep === undefined ? undefined : parseDurationMs(keep);
          return retentionMs === undefined ? { name: interval, ms } : { name: interval, ms, retentionMs };
        })
        .sort((a, b) => a.ms - b.ms);
      if (intervals.length === 0) throw new PluginError(name, `plugin ${name}: keeps no interval`);
      const grainMs = intervals.reduce((g, interval) => gcd(g, interval.ms), intervals[0]?.ms ?? 1);
      const alignMs = intervals.reduce((l, interval) => (l / gcd(l, interval.ms)) * interval.ms, 1);
      this.entries.set(name, { plugin, intervals, grainMs, alignMs });
    }
  }

  /** Every plugin, in the order given. */
  list(): readonly CatalogEntry[] {
    return [...this.entries.values()];
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** @throws {PluginError} with the known names when there is no such plugin. */
  get(name: string): CatalogEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new PluginError(name, `no metrics plugin ${JSON.stringify(name)}; there are: ${this.names().join(', ')}`, { known: this.names() });
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  describe(): PluginDescription[] {
    return this.list().map(({ plugin, intervals }) => ({
      name: plugin.name,
      description: plugin.description,
      intervals: intervals.map((interval) => interval.name),
      key: plugin.key,
      fields: [...plugin.fields],
    }));
  }
}
