import type { ArchivedMessage, MessageStore } from './message-store.js';
import type { RollupCell } from './rollup-store.js';

/** Which messages a retention rule removes: older than `before` (ms since the epoch), optionally only some. */
export interface RetentionSelection {
  /** Messages with `time` before this (ms since the epoch) are removed. */
  readonly before: number;
  /** Only messages whose topic matches one of these patterns (`*`, `#`); all topics when absent or empty. */
  readonly topics?: readonly string[];
  /** Only messages of these categories; all when absent or empty. */
  readonly categories?: readonly string[];
}

/** What one prune did. */
export interface PruneResult {
  /** Messages removed. */
  readonly deleted: number;
  /** Transactions used: the archive stays readable and writable between them. */
  readonly batches: number;
}

/** Where a redaction applies, as a path into the envelope: `body` (the default, the whole body), `body.a.b`, `headers.name`. */
export type RedactionPath = string;

/** A plugin that counts archived messages, as {@link RollupCorrection} describes it to a store. */
export interface CorrectedPlugin {
  readonly name: string;
  /** What its values are keyed by (`topic`, `category`, `user`…), `null` for one value per bucket. */
  readonly key: string | null;
  /** Its intervals: name and length (ms). */
  readonly intervals: readonly { readonly name: string; readonly ms: number }[];
}

/**
 * How the metrics' rollups follow a removal or an edit of archived messages, so that they stay equal to rollups rebuilt
 * from the archive. Given to {@link ArchiveMaintenance} calls by the process that knows the plugins (the metrics
 * package builds one from its catalog); the store applies it in the same transaction as the change, only to the plugins
 * whose saved change-feed position shows they counted the message.
 */
export interface RollupCorrection {
  /** The plugins that follow the archive. */
  readonly plugins: readonly CorrectedPlugin[];
  /** The cells `message` adds to `plugin`'s rollups, exactly as live counting adds them (none for an unknown plugin). */
  cells(plugin: string, message: ArchivedMessage): readonly RollupCell[];
}

/** Options of {@link ArchiveMaintenance.deleteMessages} and {@link ArchiveMaintenance.redactMessage}. */
export interface MaintenanceOptions {
  /** Takes the removed message out of the rollups (a redacted one: its old values out, its new ones in). */
  readonly rollups?: RollupCorrection;
  /**
   * Redaction only: how the archiver derives a message's users, packages and agent from its envelope. When the
   * redacted envelope derives other values than the original did, the stored ones are replaced (and the rollups
   * keyed by them follow); otherwise they are kept as stored.
   */
  readonly derive?: (envelope: ArchivedMessage['envelope']) => Pick<ArchivedMessage, 'users' | 'packages' | 'agent'>;
}

/**
 * What an archive can do beyond {@link MessageStore} to be kept safe: remove one message (a leaked secret),
 * redact part of one, prune by age, copy itself while online. Every method keeps the store's side tables
 * (users, packages, topic catalogue, totals) consistent with its messages.
 */
export interface ArchiveMaintenance {
  /**
   * Removes the messages with these ids. Resolves with the ids that were stored (and are now gone).
   * @throws {StoreError} when the store cannot be written.
   */
  deleteMessages(ids: readonly string[], options?: MaintenanceOptions): Promise<readonly string[]>;
  /**
   * Replaces the value at each path of one message with the string `"[redacted]"` (the whole body: `{}` with a
   * `redacted` key), and drops its signature, which no longer verifies. Resolves false when no message has that id.
   * @throws {QueryError} for a path that is not `body`, `body.<key>…` or `headers.<name>`.
   * @throws {StoreError} when the store cannot be written.
   */
  redactMessage(id: string, paths: readonly RedactionPath[], options?: MaintenanceOptions): Promise<boolean>;
  /**
   * Removes what `selection` names in batches of `batchSize`, one transaction each, yielding between them so
   * that the archiver and readers go on. Resolves with the number removed. The metrics' rollups are left as they
   * are: they are aggregates meant to outlive the raw messages (so a rebuild `--since` a time covers only what the
   * archive still holds, and would undercount buckets the prune emptied).
   */
  prune(selection: RetentionSelection, options?: { readonly batchSize?: number; readonly signal?: AbortSignal }): Promise<PruneResult>;
  /**
   * Writes a consistent copy of the archive to `file` while it stays online (writes made during the copy go on
   * and are either in it or after it). Resolves when the copy is complete.
   */
  backup?(file: string): Promise<void>;
}

/** True when `store` implements {@link ArchiveMaintenance} (its optional methods aside). */
export function supportsMaintenance(store: MessageStore): store is MessageStore & ArchiveMaintenance {
  const candidate = store as Partial<ArchiveMaintenance>;
  return typeof candidate.deleteMessages === 'function' && typeof candidate.redactMessage === 'function' && typeof candidate.prune === 'function';
}

/** The value a redaction puts in place of what it removes. */
export const REDACTED = '[redacted]';
