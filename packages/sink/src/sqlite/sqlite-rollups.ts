import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import {
  QueryError,
  queryWindow,
  type MessageQuery,
  type RollupAdvance,
  type RollupCell,
  type RollupPage,
  type RollupPageRange,
  type RollupPosition,
  type RollupRange,
  type RollupRow,
  type SeriesCount,
} from '@statbus/core';
import { checkQuery } from '../query/check-query.js';
import type { SqliteQueryPlanner } from './plan/sqlite-query-planner.js';
import type { SqliteStatementCache } from './cache/sqlite-statement-cache.js';
import { buildSqliteWhere } from './plan/sqlite-where.js';

/** Cells written by one statement: fewer calls into SQLite, well under its limit of bound parameters. */
const CHUNK = 64;
const rows = (count: number, row: string): string => Array.from({ length: count }, () => row).join(', ');
const addSql = (count: number): string => `INSERT INTO rollups (plugin, interval, bucket, key, field, value, text) VALUES ${rows(count, '(?, ?, ?, ?, ?, ?, NULL)')}
  ON CONFLICT DO UPDATE SET value = value + excluded.value`;
// `maxCellWins` in SQL. SQLite evaluates every SET expression against the row as it was: both read the old value and text.
const WINS = `(excluded.value > value OR (excluded.value = value AND coalesce(excluded.text, '') > coalesce(text, '')))`;
const maxSql = (count: number): string => `INSERT INTO rollups (plugin, interval, bucket, key, field, value, text) VALUES ${rows(count, '(?, ?, ?, ?, ?, ?, ?)')}
  ON CONFLICT DO UPDATE SET value = CASE WHEN ${WINS} THEN excluded.value ELSE value END,
    text = CASE WHEN ${WINS} THEN excluded.text ELSE text END`;

interface PositionRow {
  plugin: string;
  position: string;
  skip_before: number | null;
  skip_until: string | null;
}

type RawRollupRow = [bucket: number, key: string, field: string, value: number, text: string | null];

/** The index of migration 5 for reads by key, set aside during a rebuild from the start (see `rebuilding`). */
const KEY_INDEX = 'CREATE INDEX IF NOT EXISTS rollups_key ON rollups (plugin, interval, key, bucket)';

/** Most keys a rollup query may name (each is a bound parameter). */
const MAX_KEYS = 500;

/**
 * The metrics' rollups in the archive file (tables of migration 5). Writes are one `BEGIN IMMEDIATE` transaction
 * each, so the compare-and-set of the positions and the cells it guards commit together, whichever process
 * of the file gets there first.
 */
export class SqliteRollups {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: SqliteStatementCache,
    private readonly path: string,
  ) {
    // A process that ended during a rebuild left the index aside: built again here (nothing to do when it exists).
    db.exec(KEY_INDEX);
  }

  /**
   * Drops the index by key before a rebuild from the start and builds it again after: one sort of every row costs
   * less than keeping it up through the deletes and inserts of the rebuild. Queries by key scan meanwhile.
   */
  rebuilding(active: boolean): void {
    this.db.exec(active ? 'DROP INDEX IF EXISTS rollups_key' : KEY_INDEX);
  }

  positions(): Record<string, RollupPosition> {
    const rows = this.statements.get('SELECT * FROM rollup_positions').all() as PositionRow[];
    return Object.fromEntries(
      rows.map((row) => [
        row.plugin,
        {
          position: row.position,
          ...(row.skip_before === null ? {} : { skipBefore: row.skip_before }),
          ...(row.skip_until === null ? {} : { skipUntil: row.skip_until }),
        },
      ]),
    );
  }

  apply(cells: readonly RollupCell[], advances: readonly RollupAdvance[]): boolean {
    const current = this.statements.get('SELECT position FROM rollup_positions WHERE plugin = ?').pluck();
    const save = this.statements.get(`INSERT INTO rollup_positions (plugin, position) VALUES (?, ?)
      ON CONFLICT DO UPDATE SET position = excluded.position`);
    const adds = cells.filter((cell) => cell.op === 'add');
    const maxes = cells.filter((cell) => cell.op !== 'add');
    return this.db.transaction(() => {
      for (const advance of advances) {
        if ((current.get(advance.plugin) as string | undefined) !== advance.from) return false;
      }
      this.write(adds, addSql, (cell, params) => params.push(cell.plugin, cell.interval, cell.bucket, cell.key, cell.field, cell.value));
      this.write(maxes, maxSql, (cell, params) => params.push(cell.plugin, cell.interval, cell.bucket, cell.key, cell.field, cell.value, cell.text ?? null));
      for (const advance of advances) save.run(advance.plugin, advance.to);
      return true;
    }).immediate();
  }

  /** Runs `sqlOf(CHUNK)` over whole chunks of `cells` (each cell is unique in a batch), then the rest one by one. */
  private write(cells: readonly RollupCell[], sqlOf: (count: number) => string, bind: (cell: RollupCell, params: (string | number | null)[]) => void): void {
    const whole = cells.length - (cells.length % CHUNK);
    if (whole > 0) {
      const chunk = this.statements.get(sqlOf(CHUNK));
      const params: (string | number | null)[] = [];
      for (let at = 0; at < whole; at += CHUNK) {
        params.length = 0;
        for (let index = at; index < at + CHUNK; index += 1) bind(cells[index] as RollupCell, params);
        chunk.run(params);
      }
    }
    if (whole === cells.length) return;
    const one = this.statements.get(sqlOf(1));
    const params: (string | number | null)[] = [];
    for (let index = whole; index < cells.length; index += 1) {
      params.length = 0;
      bind(cells[index] as RollupCell, params);
      one.run(params);
    }
  }

  read(range: RollupRange): RollupRow[] {
    const { sql, params } = rangeWhere(range);
    const rows = this.statements
      .get(`SELECT bucket, key, field, value, text FROM rollups WHERE ${sql} ORDER BY bucket, key, field`)
      .all(...params) as { bucket: number; key: string; field: string; value: number; text: string | null }[];
    return rows.map(toRow);
  }

  page(range: RollupPageRange): RollupPage {
    const { sql, params } = rangeWhere(range);
    return this.db.transaction(() => {
      // The first page ascending (what a dashboard asks): read in order, stop past the page; count only if more is left.
      if (range.offset === 0 && range.order !== 'desc') {
        const rows: RollupRow[] = [];
        let groups = 0;
        let more = false;
        let last: RawRollupRow | undefined;
        // Its own statement text: the cached statement is switched to raw rows.
        for (const row of this.statements.get(`SELECT bucket, key, field, value, text FROM rollups WHERE ${sql} ORDER BY bucket, key, field /* first page */`).raw().iterate(...params) as IterableIterator<RawRollupRow>) {
          if (last === undefined || row[0] !== last[0] || row[1] !== last[1]) groups += 1;
          last = row;
          if (groups > range.limit) {
            more = true;
            break;
          }
          rows.push(row[4] === null ? { bucket: row[0], key: row[1], field: row[2], value: row[3] } : { bucket: row[0], key: row[1], field: row[2], value: row[3], text: row[4] });
        }
        if (more) groups = this.statements.get(`SELECT count(*) FROM (SELECT 1 FROM rollups WHERE ${sql} GROUP BY bucket, key)`).pluck().get(...params) as number;
        return { rows, groups };
      }
      const groups = this.statements.get(`SELECT count(*) FROM (SELECT 1 FROM rollups WHERE ${sql} GROUP BY bucket, key)`).pluck().get(...params) as number;
      const direction = range.order === 'desc' ? 'DESC' : 'ASC';
      // The page's groups are consecutive in (bucket, key) order: its first and last bound the values to read.
      const bounds = this.statements
        .get(`SELECT bucket, key FROM rollups WHERE ${sql} GROUP BY bucket, key ORDER BY bucket ${direction}, key ${direction} LIMIT ? OFFSET ?`)
        .raw()
        .all(...params, range.limit, range.offset) as [number, string][];
      const first = bounds[0];
      const last = bounds[bounds.length - 1];
      if (first === undefined || last === undefined) return { rows: [], groups };
      const [low, high] = range.order === 'desc' ? [last, first] : [first, last];
      const rows = this.statements
        .get(`SELECT bucket, key, field, value, text FROM rollups WHERE ${sql} AND (bucket, key) >= (?, ?) AND (bucket, key) <= (?, ?) ORDER BY bucket, key, field`)
        .all(...params, ...low, ...high) as { bucket: number; key: string; field: string; value: number; text: string | null }[];
      return { rows: rows.map(toRow), groups };
    }).deferred();
  }

  top(range: RollupRange & { field: string; limit: number }): { key: string; value: number }[] {
    const { sql, params } = rangeWhere({ ...range, fields: [range.field] });
    return this.statements
      .get(`SELECT key, sum(value) AS value FROM rollups WHERE ${sql} GROUP BY key ORDER BY value DESC, key LIMIT ?`)
      .all(...params, range.limit) as { key: string; value: number }[];
  }

  prune(plugin: string, interval: string, before: number): number {
    return this.statements.get('DELETE FROM rollups WHERE plugin = ? AND interval = ? AND bucket < ?').run(plugin, interval, before).changes;
  }

  reset(plugin: string, since?: number): void {
    this.db.transaction(() => {
      const was = this.statements.get('SELECT position FROM rollup_positions WHERE plugin = ?').pluck().get(plugin) as string | undefined;
      this.statements.get('DELETE FROM rollups WHERE plugin = ? AND bucket >= ?').run(plugin, since ?? Number.MIN_SAFE_INTEGER);
      this.statements.get('DELETE FROM rollup_positions WHERE plugin = ?').run(plugin);
      if (since !== undefined && was !== undefined) {
        // Kept: what was counted up to `was` before `since`. The catch-up from the start skips exactly that.
        this.statements.get("INSERT INTO rollup_positions (plugin, position, skip_before, skip_until) VALUES (?, '0', ?, ?)").run(plugin, since, was);
      }
    }).immediate();
  }

  series(planner: SqliteQueryPlanner, query: MessageQuery, intervalMs: number): SeriesCount[] {
    if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new QueryError('interval', 'must be a whole number of milliseconds from 1');
    const { query: valid } = checkQuery(query);
    const window = queryWindow(valid);
    return this.db.transaction(() => {
      const where = buildSqliteWhere(valid, window, planner.planContext(window));
      return this.statements
        .get(`SELECT m.time - (m.time % ?) AS bucket, count(*) AS count FROM messages m WHERE ${where.sql} GROUP BY 1 ORDER BY 1`)
        .all(intervalMs, ...where.params) as SeriesCount[];
    }).deferred();
  }

  storageBytes(): number {
    if (this.path === ':memory:') {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      return pages * (this.db.pragma('page_size', { simple: true }) as number);
    }
    let total = 0;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        total += statSync(this.path + suffix).size;
      } catch {
        // No WAL or shared-memory file right now.
      }
    }
    return total;
  }
}

function toRow(row: { bucket: number; key: string; field: string; value: number; text: string | null }): RollupRow {
  return row.text === null ? { bucket: row.bucket, key: row.key, field: row.field, value: row.value } : { bucket: row.bucket, key: row.key, field: row.field, value: row.value, text: row.text };
}

function rangeWhere(range: RollupRange): { sql: string; params: (string | number)[] } {
  const parts = ['plugin = ?', 'interval = ?'];
  const params: (string | number)[] = [range.plugin, range.interval];
  if (range.start !== undefined) {
    parts.push('bucket >= ?');
    params.push(range.start);
  }
  if (range.end !== undefined) {
    parts.push('bucket < ?');
    params.push(range.end);
  }
  if (range.keys !== undefined) {
    if (range.keys.length > MAX_KEYS) throw new QueryError('key', `at most ${MAX_KEYS} keys`);
    parts.push(`key IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(range.keys));
  }
  if (range.fields !== undefined) {
    parts.push(`field IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(range.fields));
  }
  return { sql: parts.join(' AND '), params };
}
