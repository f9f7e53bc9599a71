import type Database from 'better-sqlite3';
import { SQLITE_SIDE_INDEXES } from '../schema/sqlite-side-indexes.js';
import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { readHead, readStoreCounter, type SqliteStoreCounter } from '../schema/sqlite-store-counter.js';
import { BITMAP_BLOCK_ROWS, blockOf } from '../text-index/trigram-bitmaps.js';
import { buildTextChunk, sameRows, writeTextIndex } from '../text-index/text-chunk.js';
import type { WriteLockHolder } from './index-worker-lock.js';
import type { DeferredIndexing } from './sqlite-index-worker.js';

/** How the indexer batches its work (see `SqliteTuning`: `sideIndexChunk`, `textIndexChunkBlocks`, `indexIdleDelayMs`). */
export interface DeferredIndexerTuning {
  /** Messages per side-table transaction. */
  readonly sideChunk: number;
  /** Messages per text-index transaction: whole blocks of trigram bitmaps. */
  readonly textChunk: number;
  /** A backlog smaller than a chunk waits this long (ms) for more messages before it is indexed anyway. */
  readonly idleDelayMs: number;
}

/**
 * Fills the indexes `insertMany` leaves out — the users, packages and agents tables up to the `side_indexed`
 * counter, the `contains` text index up to `text_indexed` — in large transactions after the commit. Queries
 * stay exact meanwhile: rows past a counter are checked on their own columns. Several processes may index
 * one file: each chunk reads its counter inside its own write transaction.
 */
export class SqliteDeferredIndexer implements DeferredIndexing {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private paused = false;
  private lastCommit = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatementCache,
    private readonly background: boolean,
    private readonly tuning: DeferredIndexerTuning,
    /** Told while this indexer holds the file's write lock (the index worker tells the store's thread). */
    private readonly lock?: WriteLockHolder,
  ) {}

  /**
   * Adds up to `maxRows` messages, oldest first, to the side tables and to the text index. Returns how many
   * messages the index that moved furthest took in (0: both were complete).
   */
  catchUp(maxRows = Number.POSITIVE_INFINITY): number {
    let side = 0;
    while (side < maxRows) {
      const added = this.indexChunk('side_indexed', Math.min(this.tuning.sideChunk, maxRows - side));
      if (added === 0) break;
      side += added;
    }
    let text = 0;
    while (text < maxRows) {
      const added = this.indexChunk('text_indexed', Math.min(this.tuning.textChunk, maxRows - text));
      if (added === 0) break;
      text += added;
    }
    return Math.max(side, text);
  }

  /**
   * After a commit: a backlog of a full chunk is indexed on the next turn of the event loop (one chunk per turn);
   * a smaller one once no commit came for `idleDelayMs`, so a steady stream is indexed in full chunks.
   */
  schedule(): void {
    if (!this.background || this.stopped || this.paused) return;
    this.lastCommit = Date.now();
    this.plan();
  }

  private plan(): void {
    if (this.timer !== undefined) return;
    const backlog = this.backlog();
    if (backlog.side === 0 && backlog.text === 0) return;
    this.arm(this.isFull(backlog) ? 0 : this.tuning.idleDelayMs);
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      try {
        const full = this.isFull(this.backlog());
        const quiet = Date.now() - this.lastCommit;
        if (!full && quiet < this.tuning.idleDelayMs) this.arm(this.tuning.idleDelayMs - quiet);
        else this.step(full);
      } catch {
        // Busy or failing: the rows stay findable (checked directly); the next commit schedules another try.
      }
    }, delay);
    this.timer.unref();
  }

  /** While paused (a bulk load), commits schedule no indexing; `resume` schedules the backlog again. */
  pause(paused: boolean): void {
    this.paused = paused;
    if (paused) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else this.schedule();
  }

  /** Whether a bulk load is on (see {@link DeferredIndexing.bulkLoading}). */
  bulk = false;

  /** A bulk load pauses indexing on this thread: it would run between the load's writes. */
  bulkLoading(active: boolean): void {
    this.bulk = active;
    this.pause(active);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * One full chunk per turn (inserts and queries run between chunks), or the whole small backlog when idle. A full
   * text chunk stops at a block's end, so that a block is indexed once; only an idle backlog indexes part of one
   * (rewritten whole when the block fills).
   */
  private step(full: boolean): void {
    if (full) {
      if (this.backlog().side >= this.tuning.sideChunk) this.indexChunk('side_indexed', this.tuning.sideChunk);
      else this.indexChunk('text_indexed', this.tuning.textChunk, true);
    } else {
      this.indexChunk('side_indexed', this.tuning.sideChunk);
      this.indexChunk('text_indexed', this.tuning.textChunk);
    }
    this.plan();
  }

  private isFull(backlog: { side: number; text: number }): boolean {
    return backlog.side >= this.tuning.sideChunk || backlog.text >= this.tuning.textChunk;
  }

  private backlog(): { side: number; text: number } {
    const last = readHead(this.statements);
    return {
      side: last - readStoreCounter(this.statements, 'side_indexed'),
      text: last - readStoreCounter(this.statements, 'text_indexed'),
    };
  }

  /**
   * The next `limit` messages past `counter` into its index(es), in one write transaction. Returns how many. With
   * `wholeBlocks`, the text index stops before the block the chunk would end in (unless that is its first block).
   */
  private indexChunk(counter: Exclude<SqliteStoreCounter, 'messages'>, limit: number, wholeBlocks = false): number {
    if (counter === 'text_indexed') return this.indexTextChunk(limit, wholeBlocks);
    return this.write(() => {
      const range = this.chunkRange(counter, limit, false);
      if (range === undefined) return 0;
      for (const index of SQLITE_SIDE_INDEXES) this.statements.get(index.fillSql).run(range.from, range.to);
      this.statements.get('UPDATE store_counter SET value = ? WHERE name = ?').run(range.to, counter);
      return range.count;
    });
  }

  /** `work` in a write transaction, the lock's holder told while it is held. */
  private write<T>(work: () => T): T {
    const lock = this.lock;
    if (lock === undefined) return this.db.transaction(work).immediate();
    let held = false;
    try {
      return this.db
        .transaction(() => {
          lock.acquired();
          held = true;
          return work();
        })
        .immediate();
    } finally {
      if (held) lock.released();
    }
  }

  /** The rows `from + 1 … to` of the next chunk past `counter` (in the caller's transaction); undefined when there are none. */
  private chunkRange(counter: Exclude<SqliteStoreCounter, 'messages'>, limit: number, wholeBlocks: boolean): ChunkRange | undefined {
    const from = readStoreCounter(this.statements, counter);
    let [to, count] = this.statements
      .get('SELECT max(n), count(*) FROM (SELECT n FROM messages WHERE n > ? ORDER BY n LIMIT ?)')
      .raw()
      .get(from, limit) as [number | null, number];
    if (to === null) return undefined;
    if (wholeBlocks && blockOf(to) > blockOf(from + 1)) {
      to = blockOf(to) * BITMAP_BLOCK_ROWS - 1;
      count = this.statements.get('SELECT count(*) FROM messages WHERE n > ? AND n <= ?').pluck().get(from, to) as number;
    }
    return { from, to, count };
  }

  /**
   * The text index's chunk: its bitmaps are built in a read transaction (another connection may write meanwhile)
   * and written in a short write transaction, which first checks that no other indexer took the chunk and that the
   * rows read are still the rows stored (a row deleted and its key `n` given to a new message would otherwise keep
   * the old body's bits); if not, it builds the chunk again under the lock.
   */
  private indexTextChunk(limit: number, wholeBlocks: boolean): number {
    for (;;) {
      const built = this.db.transaction(() => {
        const range = this.chunkRange('text_indexed', limit, wholeBlocks);
        return range === undefined ? undefined : { range, chunk: buildTextChunk(this.statements, range.from, range.to) };
      }).deferred();
      if (built === undefined) return 0;
      const written = this.write(() => {
        const { range } = built;
        if (readStoreCounter(this.statements, 'text_indexed') !== range.from) return undefined;
        const chunk = sameRows(this.statements, built.chunk) ? built.chunk : buildTextChunk(this.statements, range.from, range.to);
        writeTextIndex(this.statements, chunk.bitmaps, range.to);
        return range.count;
      });
      // Undefined: another indexer (another process on the file) took this chunk first; look again.
      if (written !== undefined) return written;
    }
  }
}

interface ChunkRange {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}
