import type { RollupCell, RollupOp } from '@statbus/core';
import type { CatalogEntry } from './metrics-catalog.js';
import type { MetricsEmit } from './metrics-plugin.js';

interface Gathered {
  readonly grain: number;
  readonly key: string;
  readonly field: string;
  readonly op: RollupOp;
  value: number;
  text: string | undefined;
}

/** Values by bucket (or grain), then field, then key: nested maps, so that no lookup builds a string. */
type Buckets<T> = Map<number, Map<string, Map<string, T>>>;

// `maxCellWins` on plain values: no cell is made per message.
function merge(into: { op: RollupOp; value: number; text?: string | undefined }, value: number, text: string | undefined): void {
  if (into.op === 'add') into.value += value;
  else if (value > into.value || (value === into.value && (text ?? '') > (into.text ?? ''))) {
    into.value = value;
    into.text = text;
  }
}

function byKeyOf<T>(buckets: Buckets<T>, bucket: number, field: string): Map<string, T> {
  let byField = buckets.get(bucket);
  if (byField === undefined) buckets.set(bucket, (byField = new Map<string, Map<string, T>>()));
  let byKey = byField.get(field);
  if (byKey === undefined) byField.set(field, (byKey = new Map<string, T>()));
  return byKey;
}

/**
 * Gathers one batch's values at each plugin's grain (the gcd of its intervals), then rolls them up into the cells of
 * every interval: work per message is one map update per value, whatever the number of intervals, and each cell is
 * written once per batch. Buckets past their interval's retention (relative to `now`) are left out.
 */
export class RollupAccumulator {
  /** Per plugin: values by grain, field and key. */
  private readonly gathered = new Map<CatalogEntry, Buckets<Gathered>>();
  private entryValues: Buckets<Gathered> | undefined;
  /** The values of the current entry and grain, by field then key. */
  private current: Map<string, Map<string, Gathered>> | undefined;
  private count = 0;
  private entry: CatalogEntry | undefined;
  private grain = Number.NaN;
  private lastField: string | undefined;
  private lastFieldOf: Map<string, Map<string, Gathered>> | undefined;
  private lastByKey: Map<string, Gathered> | undefined;
  readonly emit: MetricsEmit;

  constructor(private readonly now: number) {
    const put = (field: string, op: RollupOp, value: number, text: string | undefined, key: string | undefined): void => {
      const current = this.current;
      if (current === undefined || !Number.isFinite(value)) return;
      // Most plugins emit one field: the last field's map saves a lookup per value.
      let byKey = field === this.lastField && current === this.lastFieldOf ? this.lastByKey : current.get(field);
      if (byKey === undefined) current.set(field, (byKey = new Map<string, Gathered>()));
      this.lastField = field;
      this.lastFieldOf = current;
      this.lastByKey = byKey;
      const k = key ?? '';
      const found = byKey.get(k);
      if (found === undefined) {
        byKey.set(k, { grain: this.grain, key: k, field, op, value, text });
        this.count += 1;
      } else merge(found, value, text);
    };
    this.emit = {
      add: (field, value, key) => put(field, 'add', value, undefined, key),
      max: (field, value, text, key) => put(field, 'max', value, text, key),
    };
  }

  /** Directs the next emits at `entry`, for something that happened at `time` (ms). */
  target(entry: CatalogEntry, time: number): void {
    const at = Math.trunc(time);
    const grain = at - (((at % entry.grainMs) + entry.grainMs) % entry.grainMs);
    if (this.entry !== entry) {
      this.entry = entry;
      let values = this.gathered.get(entry);
      if (values === undefined) this.gathered.set(entry, (values = new Map<number, Map<string, Map<string, Gathered>>>()));
      this.entryValues = values;
      this.grain = Number.NaN;
    }
    if (grain !== this.grain) {
      this.grain = grain;
      const values = this.entryValues as Buckets<Gathered>;
      let byField = values.get(grain);
      if (byField === undefined) values.set(grain, (byField = new Map<string, Map<string, Gathered>>()));
      this.current = byField;
    }
  }

  get size(): number {
    return this.count;
  }

  /** The cells of every interval of every plugin that emitted. */
  cells(): RollupCell[] {
    const out: RollupCell[] = [];
    for (const [entry, values] of this.gathered) {
      const name = entry.plugin.name;
      for (const interval of entry.intervals) {
        const oldest = interval.retentionMs === undefined ? Number.NEGATIVE_INFINITY : this.now - interval.retentionMs;
        // At the grain each value is already its own cell; coarser intervals merge the grains of a bucket first.
        const direct = interval.ms === entry.grainMs;
        const rolled: Buckets<{ op: RollupOp; value: number; text?: string | undefined; cell: Gathered }> = new Map();
        for (const [grain, byField] of values) {
          const bucket = grain - (((grain % interval.ms) + interval.ms) % interval.ms);
          if (bucket + interval.ms <= oldest) continue;
          for (const [field, byKey] of byField) {
            const into = direct ? undefined : byKeyOf(rolled, bucket, field);
            for (const [key, item] of byKey) {
              if (into === undefined) {
                out.push(cellOf(name, interval.name, bucket, item, item.value, item.text));
                continue;
              }
              const found = into.get(key);
              if (found === undefined) into.set(key, { op: item.op, value: item.value, text: item.text, cell: item });
              else merge(found, item.value, item.text);
            }
          }
        }
        for (const [bucket, byField] of rolled) {
          for (const byKey of byField.values()) {
            for (const merged of byKey.values()) out.push(cellOf(name, interval.name, bucket, merged.cell, merged.value, merged.text));
          }
        }
      }
    }
    return out;
  }
}

function cellOf(plugin: string, interval: string, bucket: number, item: Gathered, value: number, text: string | undefined): RollupCell {
  return text === undefined
    ? { plugin, interval, bucket, key: item.key, field: item.field, op: item.op, value }
    : { plugin, interval, bucket, key: item.key, field: item.field, op: item.op, value, text };
}
