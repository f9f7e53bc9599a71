import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import type { PreparedMessage } from '../schema/sqlite-rows.js';
import { readHead, readStoreCounter } from '../schema/sqlite-store-counter.js';
import { writeTextIndex } from '../text-index/text-chunk.js';
import { BITMAP_BLOCK_ROWS, BlockBitmaps, blockOf } from '../text-index/trigram-bitmaps.js';

/**
 * The `contains` index of a bulk load's messages, built from their bodies as they are written, in the load's own
 * transactions: each block of the text index is written (and `text_indexed` moved to its end) as soon as the load
 * has filled it, instead of the bodies being read back from the table after the load. What it does not cover (the
 * last block, not yet full, or everything from the first surprise on) is left to the deferred indexer, which takes
 * over from `text_indexed` as usual.
 *
 * It only starts when the text index is complete up to the newest row, and it gives up, leaving its block to the
 * deferred indexer, as soon as anything differs from what it expects: a row key that does not follow the previous
 * one (another writer's rows between the load's commits, a key reused after a deletion), or a `text_indexed`
 * that someone else moved.
 */
export class SqliteBulkTextIndex {
  private state: 'waiting' | 'building' | 'off' = 'waiting';
  private builder: BlockBitmaps | undefined;
  /** The row key the next stored message must have. */
  private next = 0;
  /** `text_indexed` as this index last read or wrote it. */
  private indexed = 0;

  constructor(private readonly statements: SqliteStatementCache) {}

  /** In the load's write transaction, before each batch: the first call decides whether to build. */
  beginBatch(): void {
    if (this.state !== 'waiting') return;
    const head = readHead(this.statements);
    const indexed = readStoreCounter(this.statements, 'text_indexed');
    if (indexed !== head) {
      this.state = 'off';
      return;
    }
    this.state = 'building';
    this.indexed = indexed;
    this.next = head + 1;
    this.builder = new BlockBitmaps(blockOf(head + 1));
    // A block is built whole: the rows the block already holds go in first.
    const first = blockOf(head + 1) * BITMAP_BLOCK_ROWS;
    if (first > head) return;
    const read = this.statements.get('SELECT n, body FROM messages WHERE n >= ? AND n <= ? ORDER BY n').raw();
    for (const [n, body] of read.iterate(first, head) as Iterable<[number, string]>) this.builder.addBody(n, body);
  }

  /** In the same transaction, after a batch was written: its stored messages (index in `batch`, row key) go in. */
  indexBatch(batch: readonly PreparedMessage[], stored: readonly { readonly index: number; readonly n: number }[]): void {
    if (this.state !== 'building') return;
    for (const { index, n } of stored) {
      if (n !== this.next || this.builder === undefined) {
        this.giveUp();
        return;
      }
      this.builder.addBody(n, (batch[index] as PreparedMessage).row.body);
      this.next = n + 1;
      if (this.next % BITMAP_BLOCK_ROWS === 0 && !this.writeBlock(n)) return;
    }
  }

  /** Writes the full block ending at row `last` and moves `text_indexed` to it; false when it gave up instead. */
  private writeBlock(last: number): boolean {
    const builder = this.builder as BlockBitmaps;
    if (readStoreCounter(this.statements, 'text_indexed') !== this.indexed) {
      this.giveUp();
      return false;
    }
    writeTextIndex(this.statements, builder.rows(), last);
    this.indexed = last;
    this.builder = new BlockBitmaps(blockOf(last + 1));
    return true;
  }

  /** Leaves the rest to the deferred indexer (also when the load's transaction was rolled back). */
  giveUp(): void {
    this.state = 'off';
    this.builder = undefined;
  }
}
