import type { RollupCell, RollupOp } from '@statbus/core';
import type { CatalogEntry } from './metrics-catalog.js';
import type { MetricsEmit } from './metrics-plugin.js';

interface Gathered {
  readonly entry: CatalogEntry;
  readonly grain: number;
  readonly key: string;
  readonly field: string;
  readonly op: RollupOp;
  value: number;
  text: string | undefined;
}

function merge(into: { op: RollupOp; value: number; text: string | undefined }, value: number, text: string | undefined): void {
  if (into.op === 'add') into.value += value;
  else if (value > into.value || (value === into.value && (text ?? '') > (into.text ?? ''))) {
    into.value = value;
    into.text = text;
  }
}

/**
 * Gathers one batch's values at each plugin's grain (the gcd of its intervals), then rolls them up into the cells of
 * every interval: work per message is one map update per value, whatever the number of intervals. Buckets past their
 * interval's retention (relative to `now`) are left out.
 */
export class RollupAccumulator {
  /** Per plugin: values by grain, key and field. */
  private readonly gathered = new Map<CatalogEntry, Map<string, Gathered>>();
  private current: Map<string, Gathered> | undefined;
  private count = 0;
  private entry: CatalogEntry | undefined;
  private time = 0;
  readonly emit: MetricsEmit;

  constructor(private readonly now: number) {
    const put = (field: string, op: RollupOp, value: number, text: string | undefined, key: string | undefined): void => {
      const entry = this.entry;
      if (entry === undefined || !Number.isFinite(value)) return;
      const grain = this.time - (((this.time % entry.grainMs) + entry.grainMs) % entry.grainMs);
      const k = key ?? '';
      const id = `${grain}\u0000${k}\u0000${field}`;
      const values = this.current as Map<string, Gathered>;
      const found = values.get(id);
      if (found === undefined) {
        values.set(id, { entry, grain, key: k, field, op, value, text });
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
    if (this.entry !== entry) {
      this.entry = entry;
      let values = this.gathered.get(entry);
      if (values === undefined) this.gathered.set(entry, (values = new Map<string, Gathered>()));
      this.current = values;
    }
    this.time = Math.trunc(time);
  }

  get size(): number {
    return this.count;
  }

  /** The cells of every interval of every plugin that emitted. */
  cells(): RollupCell[] {
    const direct: RollupCell[] = [];
    const cells = new Map<string, RollupCell & { value: number; text?: string }>();
    for (const item of [...this.gathered.values()].flatMap((values) => [...values.values()])) {
      for (const interval of item.entry.intervals) {
        const bucket = item.grain - (((item.grain % interval.ms) + interval.ms) % interval.ms);
        if (interval.retentionMs !== undefined && bucket + interval.ms <= this.now - interval.retentionMs) continue;
        if (interval.ms === item.entry.grainMs) {
          // At the grain each value is already its own cell.
          direct.push({ plugin: item.entry.plugin.name, interval: interval.name, bucket, key: item.key, field: item.field, op: item.op, value: item.value, ...(item.text === undefined ? {} : { text: item.text }) });
          continue;
        }
        const id = `${item.entry.plugin.name}\u0000${interval.name}\u0000${bucket}\u0000${item.key}\u0000${item.field}`;
        const found = cells.get(id);
        if (found === undefined) {
          cells.set(id, {
            plugin: item.entry.plugin.name,
            interval: interval.name,
            bucket,
            key: item.key,
            field: item.field,
            op: item.op,
            value: item.value,
            ...(item.text === undefined ? {} : { text: item.text }),
          });
        } else {
          const merged = { op: found.op, value: found.value, text: found.text };
          merge(merged, item.value, item.text);
          found.value = merged.value;
          if (merged.text !== undefined) found.text = merged.text;
        }
      }
    }
    for (const cell of cells.values()) direct.push(cell);
    return direct;
  }
}
