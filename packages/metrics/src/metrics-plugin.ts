import type { ArchivedMessage, BusEvent } from '@statbus/core';

/** What a plugin's values are kept by. */
export const METRICS_KEYS = ['category', 'topic', 'user', 'package', 'agent', 'producer', 'reason'] as const;

/** A key kind of {@link METRICS_KEYS}. */
export type MetricsKey = (typeof METRICS_KEYS)[number];

/**
 * How a plugin adds to its values for one message (or event). The time bucket is the message's (event's) own,
 * for every interval the plugin keeps; `key` is `''` (the default) for an unkeyed plugin.
 */
export interface MetricsEmit {
  /** Adds `value` to `field`. */
  add(field: string, value: number, key?: string): void;
  /** Keeps the largest `value` of `field` (on a tie, the largest `text`), with `text` travelling along. */
  max(field: string, value: number, text?: string, key?: string): void;
}

/** A stored value as a plugin's {@link MetricsPlugin.present} sees it. */
export interface StoredValue {
  readonly value: number;
  readonly text?: string;
}

/** One row of a plugin's series: a bucket and key with the plugin's fields. */
export type PresentedFields = Record<string, number | string | null>;

/**
 * A metrics plugin (statscache's idea): a name, what it counts, how it is keyed, and how a message or event adds
 * to its values. Plugins are plain objects; the engine runs them per batch, buckets their values by time, keeps them
 * in the archive's backend and serves them.
 *
 * A plugin with `observe` counts archived messages: it follows the archive's change feed exactly (each message
 * once) and can be rebuilt from the archive. A plugin with only `record` counts bus events that are not in the
 * archive (gaps, dead letters…), as the processes that see them report them.
 *
 * `observe` and `record` must be deterministic and must not keep state between calls: the same message always adds
 * the same values, whether live or rebuilt. A call that throws is counted and logged; the message still counts for
 * the other plugins.
 */
export interface MetricsPlugin {
  /** Unique; the `/stats/<name>` path. Lower-case words joined by `-`. */
  readonly name: string;
  readonly description: string;
  /** What the values are kept by; `null` for one value per bucket. */
  readonly key: MetricsKey | null;
  /** The fields of a row, in order (what `/stats/<name>` returns). */
  readonly fields: readonly string[];
  /** Intervals kept (`1m`, `1h`, `1d`…); default: `[metrics] intervals`. */
  readonly intervals?: readonly string[];
  /**
   * Whether `observe` reads the envelope's `headers` or `body`. Default `true`; `false` (every built-in plugin) lets
   * the engine read the change feed without them, which is much cheaper — such a plugin must not look at them (it sees
   * them empty when read from the feed, as stored when handed over by the archiver of the same process).
   */
  readonly readsContent?: boolean;
  /** Adds what one archived message counts. */
  observe?(message: ArchivedMessage, emit: MetricsEmit): void;
  /** Adds what one bus event counts. */
  record?(event: BusEvent, emit: MetricsEmit): void;
  /**
   * Turns the stored values of one bucket and key into the row's fields; default: each field's stored value
   * (0 when absent).
   */
  present?(stored: Readonly<Record<string, StoredValue>>): PresentedFields;
  /** For `/stats/<name>/top`: the field ranked; default `count` when the plugin has one. */
  readonly rankBy?: string;
}

/** Whether a plugin counts archived messages (and so follows the change feed and can be rebuilt). */
export function followsArchive(plugin: MetricsPlugin): boolean {
  return typeof plugin.observe === 'function';
}
