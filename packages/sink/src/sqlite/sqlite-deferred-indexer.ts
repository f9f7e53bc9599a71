import type Database from 'better-sqlite3';
import { INDEX_TEXT_FUNCTION } from './index-text.js';
import { JS_LOWER_FUNCTION } from './open-sqlite-database.js';
import { SQLITE_SIDE_INDEXES } from './sqlite-side-indexes.js';
import type { SqliteStatementCache } from './sqlite-statement-cache.js';
import { readStoreCounter, type SqliteStoreCounter } from './sqlite-store-counter.js';

/**
 * Messages per side-table transaction. Large on purpose: a chunk writes each page of the three tables it
 * touches once, so the larger the chunk, the fewer pages written per message (~0.2 s of work at 1M messages).
 */
const SIDE_CHUNK = 50_000;
/**
 * Messages per text-index transaction: FTS5 writes a segment per transaction and merges segments later, so
 * larger transactions index faster (20k: ~50k msg/s, 5k: ~37k; ~0.4 s of work each).
 */
const TEXT_CHUNK = 20_000;
/** A backlog smaller than a chunk waits this long (ms) for more messages before it is indexed anyway. */
const IDLE_DELAY_MS = 100;

/**
 * Bodies of at least this many bytes are indexed with their runs of one character cut (`indexText`); shorter ones
 * are lower-cased in SQL: a call into JavaScript costs ~0.5 µs, more than a short body could save.
 */
const CUT_RUNS_FROM_BYTES = 512;

/** The text index's input: the lower-cased body, its runs of one character cut when it is long. */
const TEXT_SQL = `INSERT INTO message_text (rowid, text)
  SELECT n, CASE WHEN octet_length(body) >= ${CUT_RUNS_FROM_BYTES} THEN ${INDEX_TEXT_FUNCTION}(body)
    WHEN length(body) = octet_length(body) THEN lower(body) ELSE ${JS_LOWER_FUNCTION}(body) END
  FROM messages WHERE n > ? AND n <= ?`;

/**
 * Fills the indexes `insertMany` leaves out — the users, packages and agents tables up to the `side_indexed`
 * counter, the `contains` text index up to `text_indexed` — in large transactions after the commit. Queries
 * stay exact meanwhile: rows past a counter are checked on their own columns. Several processes may index
 * one file: each chunk reads its counter inside its own write transaction.
 */
export class SqliteDeferredIndexer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastCommit = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatementCache,
    private readonly background: boolean,
  ) {}

  /**
   * Adds up to `maxRows` messages, oldest first, to the side tables and to the text index. Returns how many
   * messages the index that moved furthest took in (0: both were complete).
   */
  catchUp(maxRows = Number.POSITIVE_INFINITY): number {
    let side = 0;
    while (side < maxRows) {
      const added = this.indexChunk('side_indexed', Math.min(SIDE_CHUNK, maxRows - side));
      if (added === 0) break;
      side += added;
    }
    let text = 0;
    while (text < maxRows) {
      const added = this.indexChunk('text_indexed', Math.min(TEXT_CHUNK, maxRows - text));
      if (added === 0) break;
      text += added;
    }
    return Math.max(side, text);
  }

  /**
   * After a commit: a backlog of a full chunk is indexed on the next turn of the event loop (one chunk per turn);
   * a smaller one once no commit came for {@link IDLE_DELAY_MS} ms, so a steady stream is indexed in full chunks.
   */
  schedule(): void {
    if (!this.background || this.stopped) return;
    this.lastCommit = Date.now();
    this.plan();
  }

  private plan(): void {
    if (this.timer !== undefined) return;
    const backlog = this.backlog();
    if (backlog.side === 0 && backlog.text === 0) return;
    this.arm(isFull(backlog) ? 0 : IDLE_DELAY_MS);
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      try {
        const full = isFull(this.backlog());
        const quiet = Date.now() - this.lastCommit;
        if (!full && quiet < IDLE_DELAY_MS) this.arm(IDLE_DELAY_MS - quiet);
        else this.step(full);
      } catch {
        // Busy or failing: the rows stay findable (checked directly); the next commit schedules another try.
      }
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One full chunk per turn (inserts and queries run between chunks), or the whole small backlog when idle. */
  private step(full: boolean): void {
    if (full) {
      if (this.backlog().side >= SIDE_CHUNK) this.indexChunk('side_indexed', SIDE_CHUNK);
      else this.indexChunk('text_indexed', TEXT_CHUNK);
    } else {
      this.indexChunk('side_indexed', SIDE_CHUNK);
      this.indexChunk('text_indexed', TEXT_CHUNK);
    }
    this.plan();
  }

  private backlog(): { side: number; text: number } {
    const last = (this.statements.get('SELECT max(n) FROM messages').pluck().get() as number | null) ?? 0;
    return {
      side: last - readStoreCounter(this.statements, 'side_indexed'),
      text: last - readStoreCounter(this.statements, 'text_indexed'),
    };
  }

  /** One transaction: the next `limit` messages past `counter` into its index(es). Returns how many. */
  private indexChunk(counter: Exclude<SqliteStoreCounter, 'messages'>, limit: number): number {
    return this.db.transaction(() => {
      const from = readStoreCounter(this.statements, counter);
      const [to, count] = this.statements
        .get('SELECT max(n), count(*) FROM (SELECT n FROM messages WHERE n > ? ORDER BY n LIMIT ?)')
        .raw()
        .get(from, limit) as [number | null, number];
      if (to === null) return 0;
      if (counter === 'side_indexed') for (const index of SQLITE_SIDE_INDEXES) this.statements.get(index.fillSql).run(from, to);
      else this.statements.get(TEXT_SQL).run(from, to);
      this.statements.get('UPDATE store_counter SET value = ? WHERE name = ?').run(to, counter);
      return count;
    }).immediate();
  }
}

function isFull(backlog: { side: number; text: number }): boolean {
  return backlog.side >= SIDE_CHUNK || backlog.text >= TEXT_CHUNK;
}
