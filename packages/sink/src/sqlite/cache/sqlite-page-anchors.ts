import { SQLITE_TUNING_DEFAULTS } from '../sqlite-tuning.js';

/** A row of a result in its order, by the keys the pages are sorted on. */
export interface RowKey {
  readonly time: number;
  readonly id: string;
}

/**
 * A row of a filter set's results and where the rows after it start: the rows strictly after `row` (in the
 * set's order) begin at offset `offset`, in the snapshot whose newest row key was `head`.
 */
export interface PageAnchor {
  readonly row: RowKey;
  readonly offset: number;
  readonly head: number;
}

/**
 * Where earlier pages of a filter set ended, so that page N (datagrepper's `page`, an offset) is read from the
 * nearest known row before it instead of by skipping every row in front of it: a client paging through an
 * archive, or asking the same page again, reads one page of rows each time. The archive only grows at
 * increasing row keys, so an anchor of an older snapshot stays usable: its offset moves by the number of rows
 * archived since that sort before it, which the caller counts ({@link SqlitePageAnchors.nearest}).
 */
export class SqlitePageAnchors {
  readonly #sets = new Map<string, PageAnchor[]>();

  /**
   * @param capacity filter sets (with their order) kept; 0 keeps none.
   * @param perSet anchors kept per filter set; the least recently found goes first.
   * @param tried anchors tried per request (each of an older snapshot costs a count of the rows archived since).
   */
  constructor(
    private readonly capacity = SQLITE_TUNING_DEFAULTS.pageAnchorSets,
    private readonly perSet = SQLITE_TUNING_DEFAULTS.anchorsPerSet,
    private readonly tried = SQLITE_TUNING_DEFAULTS.anchorsTried,
  ) {}

  /** Forgets every anchor: after rows were removed, the pages they point into have moved. */
  clear(): void {
    this.#sets.clear();
  }

  /**
   * The anchor that leaves the fewest rows to skip to reach `offset` in the snapshot whose newest row is `head`,
   * with its offset in that snapshot. `movedBy(anchor)` counts the matches among the rows archived after
   * `anchor.head` that sort before `anchor.row` (undefined when there are too many rows to check).
   */
  nearest(key: string, offset: number, head: number, movedBy: (anchor: PageAnchor) => number | undefined): PageAnchor | undefined {
    const anchors = this.#sets.get(key);
    if (anchors === undefined) return undefined;
    // Rows archived since only push an anchor further back: the first one, from the furthest, that still
    // lies at or before `offset` is the nearest.
    const candidates = anchors.filter((anchor) => anchor.head <= head && anchor.offset <= offset).sort((a, b) => b.offset - a.offset).slice(0, this.tried);
    for (const anchor of candidates) {
      const moved = anchor.head === head ? 0 : movedBy(anchor);
      if (moved === undefined || anchor.offset + moved > offset) continue;
      this.#sets.delete(key);
      this.#sets.set(key, anchors);
      return { row: anchor.row, offset: anchor.offset + moved, head };
    }
    return undefined;
  }

  /** Keeps `anchor` for `key`'s filter set (and order). */
  record(key: string, anchor: PageAnchor): void {
    if (this.capacity === 0) return;
    const anchors = (this.#sets.get(key) ?? []).filter((known) => known.offset !== anchor.offset || known.head > anchor.head);
    if (anchors.some((known) => known.offset === anchor.offset)) return;
    anchors.push(anchor);
    if (anchors.length > this.perSet) anchors.shift();
    this.#sets.delete(key);
    this.#sets.set(key, anchors);
    if (this.#sets.size > this.capacity) this.#sets.delete(this.#sets.keys().next().value as string);
  }
}
