import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { BITMAP_BLOCK_ROWS, BlockBitmaps, blockOf, type BitmapRow } from './trigram-bitmaps.js';

/** The text index's rows for the blocks holding rows `from + 1 … to`, and the rows they were built from. */
export interface TextChunk {
  readonly bitmaps: readonly BitmapRow[];
  /** First row key read: the first of `from + 1`'s block (a block is always built whole). */
  readonly first: number;
  readonly last: number;
  /** Row keys and ids read, in order. */
  readonly keys: readonly number[];
  readonly ids: readonly string[];
}

/**
 * Builds the trigram bitmaps of every block from `from + 1`'s to `to`'s, from the bodies stored (in the caller's
 * transaction). A block is built whole from its first row: one indexed in part before (an idle backlog) is replaced.
 */
export function buildTextChunk(statements: SqliteStatementCache, from: number, to: number): TextChunk {
  const read = statements.get('SELECT n, id, body FROM messages WHERE n >= ? AND n <= ? ORDER BY n').raw();
  const bitmaps: BitmapRow[] = [];
  const keys: number[] = [];
  const ids: string[] = [];
  for (let block = blockOf(from + 1); block <= blockOf(to); block += 1) {
    const builder = new BlockBitmaps(block);
    const first = block * BITMAP_BLOCK_ROWS;
    for (const [n, id, body] of read.iterate(first, Math.min(to, first + BITMAP_BLOCK_ROWS - 1)) as Iterable<[number, string, string]>) {
      builder.addBody(n, body);
      keys.push(n);
      ids.push(id);
    }
    bitmaps.push(...builder.rows());
  }
  return { bitmaps, first: blockOf(from + 1) * BITMAP_BLOCK_ROWS, last: to, keys, ids };
}

/** Writes the text index's `bitmaps` and moves `text_indexed` to `to` (in the caller's write transaction). */
export function writeTextIndex(statements: SqliteStatementCache, bitmaps: Iterable<BitmapRow>, to: number): void {
  const write = statements.get('INSERT OR REPLACE INTO text_signatures (key, bits) VALUES (?, ?)');
  for (const row of bitmaps) write.run(row.key, row.bits);
  statements.get("UPDATE store_counter SET value = ? WHERE name = 'text_indexed'").run(to);
}

/** Whether the rows `chunk` was built from are still the rows stored (same keys, same ids), in the caller's transaction. */
export function sameRows(statements: SqliteStatementCache, chunk: TextChunk): boolean {
  const rows = statements.get('SELECT n, id FROM messages WHERE n >= ? AND n <= ? ORDER BY n').raw().all(chunk.first, chunk.last) as [number, string][];
  if (rows.length !== chunk.keys.length) return false;
  for (let i = 0; i < rows.length; i += 1) {
    const [n, id] = rows[i] as [number, string];
    if (n !== chunk.keys[i] || id !== chunk.ids[i]) return false;
  }
  return true;
}
