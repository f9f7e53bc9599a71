import {
  StoreError,
  type ArchiveChange,
  type BusEvent,
  type BusEventRecorder,
  type Logger,
  type RollupCell,
  type RollupMessageStore,
  type RollupPosition,
} from '@statbus/core';
import { comparePositions } from './compare-positions.js';
import { InsertedQueue } from './inserted-queue.js';
import { mergeCells, withPending } from './merge-cells.js';
import type { CatalogEntry, MetricsCatalog } from './metrics-catalog.js';
import { followsArchive } from './metrics-plugin.js';
import { PluginError } from './plugin-error.js';
import { RollupAccumulator } from './rollup-accumulator.js';
import { DEFAULT_COALESCE_MS, type MetricsEngineCounters, type MetricsEngineOptions, type RebuildProgress } from './metrics-engine-options.js';

const FEED_PAGE = 1000;
const ERROR_LOG_EVERY_MS = 60_000;

/**
 * Keeps the metrics: follows the archive's change feed and adds each batch of newly stored messages to the rollups,
 * saving each plugin's feed position in the same transaction (compare-and-set), so that a crash, a restart or several
 * engines on one archive never lose nor double a count. Plugins at different positions (a new one, one being rebuilt)
 * are caught up separately until they meet the others. Bus events are added by {@link MetricsEngine.recordEvents}.
 */
export class MetricsEngine implements BusEventRecorder {
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly pruneIntervalMs: number;
  private readonly coalesceMs: number;
  private lastRun = 0;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly totals = { messages: 0, batches: 0, conflicts: 0, handedOver: 0, events: 0 };
  private readonly pluginErrors = new Map<string, { count: number; loggedAt: number }>();
  private running = false;
  private syncing: Promise<number> | undefined;
  private again = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Event values waiting to ride along with the next feed batch (one transaction instead of two). */
  private pendingCells: RollupCell[] = [];
  private pendingWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** What this process's store handed over as newly stored, taken in without reading it back. */
  private readonly inserted = new InsertedQueue();

  constructor(
    private readonly store: RollupMessageStore,
    readonly catalog: MetricsCatalog,
    logger: Logger,
    options: MetricsEngineOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 5000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 600_000;
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.now = options.now ?? Date.now;
    this.logger = logger.child({ component: 'metrics' });
  }

  /**
   * Starts following: catches up every plugin that is new or behind (in the background), then follows new messages,
   * woken by this process's inserts and by polling. Resolves once started; {@link MetricsEngine.sync} waits for the head.
   */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.unlisten = this.store.onInserted?.((inserted) => {
      if (inserted !== undefined) this.inserted.push(inserted);
      this.wake();
    });
    const poll = (): void => {
      this.pollTimer = setTimeout(() => {
        this.wake();
        if (this.running) poll();
      }, this.pollIntervalMs);
    };
    poll();
    const prune = (): void => {
      this.pruneTimer = setTimeout(() => {
        void this.prune()
          .catch((error: unknown) => this.logger.warn({ err: error }, 'pruning metrics failed; trying again later'))
          .finally(() => this.running && prune());
      }, this.pruneIntervalMs);
    };
    prune();
    this.wake();
    this.logger.info({ plugins: this.catalog.names() }, 'metrics following the archive');
    return Promise.resolve();
  }

  /** Stops following; resolves when the batch in progress is written. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.pruneTimer);
    this.unlisten?.();
    this.unlisten = undefined;
    this.inserted.clear();
    await this.loop;
    await this.syncing?.catch(() => 0);
    await this.flushPending();
  }

  counters(): MetricsEngineCounters {
    const errors: Record<string, number> = {};
    for (const [name, seen] of this.pluginErrors) errors[name] = seen.count;
    return { ...this.totals, errors };
  }

  /**
   * Reads the change feed until every archive plugin is at its head; resolves with the messages taken in.
   * Calls made meanwhile share the run in progress and one more after it.
   */
  sync(onProgress?: (progress: RebuildProgress) => void): Promise<number> {
    if (this.syncing !== undefined) {
      this.again = true;
      return this.syncing.then(() => this.sync(onProgress));
    }
    const run = this.syncAll(onProgress).finally(() => {
      this.syncing = undefined;
    });
    this.syncing = run;
    return run;
  }

  /** Adds bus events to the plugins that record them, in one write. A plugin that throws is counted and skipped. */
  async recordEvents(events: readonly BusEvent[]): Promise<void> {
    if (events.length === 0) return;
    const accumulator = new RollupAccumulator(this.now());
    for (const entry of this.catalog.list()) {
      if (entry.plugin.record === undefined) continue;
      for (const event of events) {
        accumulator.target(entry, event.time);
        try {
          entry.plugin.record(event, accumulator.emit);
        } catch (error) {
          this.pluginFailed(entry, error, { event: event.type });
        }
      }
    }
    this.totals.events += events.length;
    if (accumulator.size === 0) return;
    if (!this.running) {
      await this.store.applyRollups(accumulator.cells(), []);
      return;
    }
    // While following, events are written with the next batch of the feed (or alone when none comes).
    await new Promise<void>((resolve, reject) => {
      this.pendingCells.push(...accumulator.cells());
      this.pendingWaiters.push({ resolve, reject });
      this.wake();
    });
  }

  /** Writes pending event values on their own (no feed batch took them). */
  private async flushPending(): Promise<void> {
    if (this.pendingWaiters.length === 0) return;
    const { cells, waiters } = this.takePending();
    try {
      await this.store.applyRollups(cells, []);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  private takePending(): { cells: RollupCell[]; waiters: { resolve: () => void; reject: (error: unknown) => void }[] } {
    const taken = { cells: mergeCells(this.pendingCells), waiters: this.pendingWaiters };
    this.pendingCells = [];
    this.pendingWaiters = [];
    return taken;
  }

  /**
   * Recomputes archive plugins from the archive: deletes their values (from `since`, aligned down to a bucket of
   * every interval they keep; all when absent) and catches them up. Live engines on the same archive go on: the
   * positions' compare-and-set keeps every count single.
   *
   * @throws {PluginError} for an unknown plugin or one that counts bus events (those are not in the archive).
   */
  async rebuild(options: { plugins?: readonly string[]; since?: number; onProgress?: (progress: RebuildProgress) => void } = {}): Promise<number> {
    const entries = (options.plugins ?? this.catalog.list().filter((e) => followsArchive(e.plugin)).map((e) => e.plugin.name)).map((name) => this.catalog.get(name));
    for (const entry of entries) {
      if (!followsArchive(entry.plugin)) throw new PluginError(entry.plugin.name, `plugin ${entry.plugin.name} counts bus events, which are not in the archive: it cannot be rebuilt`);
    }
    const fromStart = options.since === undefined && this.store.rebuildingRollups !== undefined;
    if (fromStart) await this.store.rebuildingRollups?.(true);
    try {
      for (const entry of entries) {
        const since = options.since === undefined ? undefined : Math.floor(options.since / entry.alignMs) * entry.alignMs;
        await this.store.resetRollups(entry.plugin.name, since);
      }
      return await this.sync(options.onProgress);
    } finally {
      if (fromStart) await this.store.rebuildingRollups?.(false);
    }
  }

  /** Deletes buckets past their retention. Resolves with how many values went. */
  async prune(): Promise<number> {
    let removed = 0;
    const now = this.now();
    for (const entry of this.catalog.list()) {
      for (const interval of entry.intervals) {
        if (interval.retentionMs === undefined) continue;
        removed += await this.store.pruneRollups(entry.plugin.name, interval.name, now - interval.retentionMs - interval.ms);
      }
    }
    return removed;
  }

  private wake(): void {
    if (!this.running) return;
    if (this.loop !== undefined) {
      this.again = true;
      return;
    }
    this.loop = (async () => {
      try {
        do {
          this.again = false;
          // Gathers what came meanwhile into one batch: fewer, larger transactions, each key's buckets written once.
          const wait = this.lastRun + this.coalesceMs - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          this.lastRun = Date.now();
          await this.sync();
          await this.flushPending();
        } while (this.again && this.running);
      } catch (error) {
        const { waiters } = this.takePending();
        for (const waiter of waiters) waiter.reject(error);
        const retryable = !(error instanceof StoreError) || error.retryable;
        this.logger.warn({ err: error, retryable }, 'metrics could not follow the archive; trying again at the next poll');
      } finally {
        this.loop = undefined;
      }
    })();
  }

  private async syncAll(onProgress?: (progress: RebuildProgress) => void): Promise<number> {
    const archivePlugins = this.catalog.list().filter((entry) => followsArchive(entry.plugin));
    if (archivePlugins.length === 0) return 0;
    const head = await this.store.changesHead();
    const total = /^\d+$/u.test(head) ? Number(head) : 0;
    let taken = 0;
    for (;;) {
      const positions = await this.store.rollupPositions();
      const groups = new Map<string, CatalogEntry[]>();
      for (const entry of archivePlugins) {
        const at = positions[entry.plugin.name]?.position ?? '';
        const group = groups.get(at);
        if (group === undefined) groups.set(at, [entry]);
        else group.push(entry);
      }
      let moved = false;
      // The furthest behind first: it is the one a rebuild waits for.
      for (const [at, group] of [...groups].sort((a, b) => (a[0] === '' ? -1 : b[0] === '' ? 1 : comparePositions(a[0], b[0])))) {
        const from = at === '' ? undefined : at;
        const result = await this.step(group, from, positions);
        if (result === undefined) {
          moved = true;
          continue;
        }
        taken += result.messages;
        if (result.messages > 0) moved = true;
        if (onProgress !== undefined && result.messages > 0 && /^\d+$/u.test(result.position)) onProgress({ done: Math.min(Number(result.position), total), total });
      }
      if (!moved) return taken;
    }
  }

  /**
   * One batch for plugins at the same position; `undefined` when another writer moved first. What this process just
   * stored is taken as handed over when it follows on from the position; otherwise the change feed is read. Each page
   * is counted as it comes, so only the cells are held, however large the batch.
   */
  private async step(group: readonly CatalogEntry[], from: string | undefined, positions: Readonly<Record<string, RollupPosition>>): Promise<{ messages: number; position: string } | undefined> {
    const accumulator = new RollupAccumulator(this.now());
    // Counted once the batch is written: a batch redone after a conflict must not count its failures twice.
    const failures: { entry: CatalogEntry; error: unknown; id: string }[] = [];
    const observe = (changes: readonly ArchiveChange[]): void => {
      for (const entry of group) this.observe(entry, changes, positions[entry.plugin.name], accumulator, failures);
    };
    let position = from;
    let messages = 0;
    if (from !== undefined) this.inserted.dropThrough(from);
    const handed = from === undefined ? undefined : this.inserted.take(from, this.batchSize);
    if (handed !== undefined) {
      for (const changes of handed.batches) observe(changes);
      messages = handed.messages;
      position = handed.position;
    } else {
      // Headers and bodies are the bulk of a row: read only when a plugin of the group looks at them.
      const content = group.some((entry) => entry.plugin.observe !== undefined && entry.plugin.readsContent !== false);
      while (messages < this.batchSize) {
        const page = await this.store.changes(position, Math.min(FEED_PAGE, this.batchSize - messages), { content });
        observe(page.changes);
        messages += page.changes.length;
        position = page.position;
        if (page.changes.length < FEED_PAGE) break;
      }
    }
    if (messages === 0 || position === undefined) return { messages: 0, position: position ?? '0' };
    const pending = this.takePending();
    let written: boolean;
    try {
      written = await this.store.applyRollups(
        withPending(accumulator.cells(), pending.cells),
        group.map((entry) => ({ plugin: entry.plugin.name, from, to: position })),
      );
    } catch (error) {
      this.putBack(pending);
      throw error;
    }
    if (!written) {
      this.putBack(pending);
      this.totals.conflicts += 1;
      return undefined;
    }
    for (const waiter of pending.waiters) waiter.resolve();
    for (const failure of failures) this.pluginFailed(failure.entry, failure.error, { id: failure.id });
    this.inserted.dropThrough(position);
    if (handed !== undefined) this.totals.handedOver += messages;
    this.totals.batches += 1;
    this.totals.messages += messages;
    return { messages, position };
  }

  /** Adds what `changes` count for one plugin (less what a partial rebuild kept). */
  private observe(entry: CatalogEntry, changes: readonly ArchiveChange[], saved: RollupPosition | undefined, accumulator: RollupAccumulator, failures: { entry: CatalogEntry; error: unknown; id: string }[]): void {
    const { plugin } = entry;
    if (plugin.observe === undefined) return;
    const skipUntil = saved?.skipUntil;
    const skipBefore = saved?.skipBefore ?? Number.NEGATIVE_INFINITY;
    for (const change of changes) {
      const { message } = change;
      if (skipUntil !== undefined && message.envelope.time < skipBefore && comparePositions(change.position, skipUntil) <= 0) continue;
      accumulator.target(entry, message.envelope.time);
      try {
        plugin.observe(message, accumulator.emit);
      } catch (error) {
        failures.push({ entry, error, id: message.envelope.id });
      }
    }
  }

  private putBack(pending: { cells: RollupCell[]; waiters: { resolve: () => void; reject: (error: unknown) => void }[] }): void {
    this.pendingCells.push(...pending.cells);
    this.pendingWaiters.push(...pending.waiters);
  }

  private pluginFailed(entry: CatalogEntry, error: unknown, context: Record<string, unknown>): void {
    const name = entry.plugin.name;
    const seen = this.pluginErrors.get(name) ?? { count: 0, loggedAt: Number.NEGATIVE_INFINITY };
    seen.count += 1;
    this.pluginErrors.set(name, seen);
    const now = Date.now();
    if (now - seen.loggedAt >= ERROR_LOG_EVERY_MS) {
      seen.loggedAt = now;
      this.logger.error({ plugin: name, errors: seen.count, err: error, ...context }, 'a metrics plugin threw; the message counts for the other plugins');
    }
  }
}
