import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { BITMAP_GROUPS, SLICE_BYTES, blockOf, candidateRows, hashOfTrigram, sliceLocation } from './trigram-bitmaps.js';
import type { TrigramSample } from './trigram-sample.js';

/** The slice at `offset` of group `grp` in every block from the first to the last: a row looked up per block. */
const SLICES_SQL = `WITH RECURSIVE blocks (block) AS (SELECT ? UNION ALL SELECT block + 1 FROM blocks WHERE block < ?)
  SELECT b.block, substr(s.bits, ?, ${SLICE_BYTES}) FROM blocks b JOIN text_signatures s ON s.key = b.block * ${BITMAP_GROUPS} + ?`;

/** Reads the `contains` index (`text_signatures`) in the caller's read transaction. */
export class SqliteTextCandidates {
  constructor(
    private readonly statements: SqliteStatementCache,
    private readonly sample: TrigramSample,
    private readonly trigrams: { readonly max: number; readonly atLeast: number },
  ) {}

  /**
   * The indexed rows from `first` to `last` (row keys) that may hold `needle` (lower-cased, at least a trigram
   * long), ascending: every one that does, and a few that do not (the body check decides). Rows not yet indexed are
   * not among them: the caller checks those directly.
   */
  candidates(needle: string, first: number, last: number): number[] {
    if (last < first) return [];
    const hashes = new Set(this.sample.choose(needle, this.trigrams.max, this.trigrams.atLeast).map(hashOfTrigram));
    const read = this.statements.get(SLICES_SQL).raw();
    const slices = [...hashes].map((hash) => {
      const { grp, offset } = sliceLocation(hash);
      const blocks = new Map<number, Uint8Array>();
      for (const [block, bits] of read.all(blockOf(first), blockOf(last), offset, grp) as [number, Buffer][]) blocks.set(block, bits);
      return blocks;
    });
    return candidateRows(slices, first, last);
  }
}
