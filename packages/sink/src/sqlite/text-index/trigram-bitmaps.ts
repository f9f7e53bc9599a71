/**
 * The `contains` index: bit-sliced trigram bitmaps. Every trigram (three UTF-16 code units) of a lower-cased
 * body is hashed to one of {@link TRIGRAM_HASHES} values; for each block of {@link BITMAP_BLOCK_ROWS}
 * consecutive row keys `n` and each hash value, one bit per row says whether that row's body has a trigram with
 * that hash. A needle's candidates in a block are the AND of the slices of its trigrams' hashes: no row holding
 * the needle is ever missed (its trigrams are all in the row), and a row is a false candidate only when each of
 * the needle's trigrams collides with one of the row's (~7 % per trigram for a 1 KiB body), which the body check
 * then rejects.
 *
 * Building it is a tight loop over the body's code units. Slices are stored 7 to a row of the table
 * `text_signatures (key, bits)` (its name predates this module's: the bits are trigram bitmaps, nothing to do with
 * message signatures), a block's rows together, so that indexing a block appends a few full pages; a query reads
 * one row per block and trigram.
 */

/** Rows per block: one bit each in a slice. */
export const BITMAP_BLOCK_ROWS = 4096;
const BLOCK_SHIFT = 12;
/** Bytes of one slice (a bit per row of the block). */
export const SLICE_BYTES = BITMAP_BLOCK_ROWS / 8;
/** Hash values: one slice each per block. */
export const TRIGRAM_HASHES = 4096;
const HASH_SHIFT = 32 - 12;
/**
 * Slices stored together in one row of `text_signatures` (a group: the hash divided by this): 7 slices make a
 * row that fills most of a 4 KiB page, so a block's bitmaps are written as ~590 pages, appended in key order.
 */
export const SLICES_PER_GROUP = 7;
const GROUP_BYTES = SLICES_PER_GROUP * SLICE_BYTES;
/** Groups of slices per block: the rows of `text_signatures` a block has at most. */
export const BITMAP_GROUPS = Math.ceil(TRIGRAM_HASHES / SLICES_PER_GROUP);
/** A needle needs this many code units to have a trigram. */
export const TRIGRAM = 3;

/** The block of row key `n`. */
export function blockOf(n: number): number {
  return Math.floor(n / BITMAP_BLOCK_ROWS);
}

/** The hash (0 … {@link TRIGRAM_HASHES} − 1) of the trigram of code units `a`, `b`, `c`. */
export function trigramHash(a: number, b: number, c: number): number {
  let x = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
  return (x ^ (x >>> 13)) >>> HASH_SHIFT;
}

/** The hash of a trigram given as a string of three code units (as `trigramsOf` lists them). */
export function hashOfTrigram(trigram: string): number {
  return trigramHash(trigram.charCodeAt(0), trigram.charCodeAt(1), trigram.charCodeAt(2));
}

/** The key of a row of `text_signatures`: blocks in order, the groups of a block together. */
export function bitmapKey(block: number, grp: number): number {
  return block * BITMAP_GROUPS + grp;
}

/** One stored row of the index: the slices of hashes `grp × 7 … grp × 7 + 6` of one block. */
export interface BitmapRow {
  readonly key: number;
  readonly bits: Buffer;
}

/** Rows staged together before they are turned into slices: one 32-bit word of each slice. */
const STAGE_ROWS = 32;
/** 32-bit words of one row's staged bits (a bit per hash value). */
const ROW_WORDS = TRIGRAM_HASHES / 32;
/** 32-bit words of one slice (a bit per row of the block). */
const SLICE_WORDS = SLICE_BYTES / 4;
/** The slices are read and written as 32-bit words: row `r`'s bit is bit `r % 32` of word `r / 32` only on a little-endian machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An ASCII capital letter's small letter; any other code unit as it is. */
function asciiLower(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
}

/**
 * Transposes the 32 × 32 bit matrix in `words[at … at + 31]` in place: afterwards bit `r` of word `j` is what bit
 * `j` of word `r` was (Hacker's Delight's recursive block swap, least significant bit first).
 */
function transpose32(words: Int32Array, at: number): void {
  let mask = 0x0000ffff;
  for (let j = 16; j !== 0; j >>>= 1, mask ^= mask << j) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const t = (((words[at + k] as number) >>> j) ^ (words[at + k + j] as number)) & mask;
      words[at + k + j] = (words[at + k + j] as number) ^ t;
      words[at + k] = (words[at + k] as number) ^ (t << j);
    }
  }
}

/**
 * The bitmaps of one block, built row by row. Rows may come in any order and with holes; a row added twice
 * sets the same bits.
 *
 * A row's trigrams are first set in its own 512-byte bit set (32 consecutive rows are staged together, small
 * enough to stay in the processor's first-level cache), then the 32 staged rows are turned into one 32-bit word of
 * each of the 4,096 slices by bit-matrix transposes: setting each trigram's bit straight into the block's 2 MB of
 * slices would touch a different cache line for almost every trigram.
 */
export class BlockBitmaps {
  private readonly bits = new Uint8Array(TRIGRAM_HASHES * SLICE_BYTES);
  private readonly words = new Int32Array(this.bits.buffer);
  /** Rows `group × 32 …` staged: row `r`'s bits at `(r % 32) × ROW_WORDS`. */
  private readonly stage = new Int32Array(STAGE_ROWS * ROW_WORDS);
  private readonly tile = new Int32Array(32);
  /** The 32-row group staged, or -1. */
  private group = -1;

  constructor(readonly block: number) {}

  /** Sets row `n`'s bit in the slice of every trigram hash of `loweredBody`. */
  add(n: number, loweredBody: string): void {
    if (blockOf(n) !== this.block) throw new RangeError(`row ${n} is not in block ${this.block}`);
    const row = n - this.block * BITMAP_BLOCK_ROWS;
    const length = loweredBody.length;
    if (length < TRIGRAM) return;
    if (!LITTLE_ENDIAN) return this.addDirect(row, loweredBody);
    if (row >>> 5 !== this.group) {
      this.unstage();
      this.group = row >>> 5;
    }
    const stage = this.stage;
    const base = (row & 31) * ROW_WORDS;
    let a = loweredBody.charCodeAt(0);
    let b = loweredBody.charCodeAt(1);
    for (let i = 2; i < length; i += 1) {
      const c = loweredBody.charCodeAt(i);
      const hash = trigramHash(a, b, c);
      const at = base + (hash >>> 5);
      stage[at] = (stage[at] as number) | (1 << (hash & 31));
      a = b;
      b = c;
    }
  }

  /**
   * {@link BlockBitmaps.add} of a body as stored: lower-cased on the fly while it is ASCII (where lower-casing is
   * per character), by `toLowerCase` once a character beyond ASCII shows up (the bits already set are among its own).
   */
  addBody(n: number, body: string): void {
    if (!LITTLE_ENDIAN || blockOf(n) !== this.block || body.length < TRIGRAM) return this.add(n, body.toLowerCase());
    const row = n - this.block * BITMAP_BLOCK_ROWS;
    if (row >>> 5 !== this.group) {
      this.unstage();
      this.group = row >>> 5;
    }
    const stage = this.stage;
    const base = (row & 31) * ROW_WORDS;
    let a = asciiLower(body.charCodeAt(0));
    let b = asciiLower(body.charCodeAt(1));
    for (let i = 2; i < body.length; i += 1) {
      const c = asciiLower(body.charCodeAt(i));
      if ((a | b | c) > 0x7f) return this.add(n, body.toLowerCase());
      const hash = trigramHash(a, b, c);
      const at = base + (hash >>> 5);
      stage[at] = (stage[at] as number) | (1 << (hash & 31));
      a = b;
      b = c;
    }
  }

  /** The block's stored rows: one per group of slices with any bit set. */
  rows(): BitmapRow[] {
    this.unstage();
    const rows: BitmapRow[] = [];
    for (let grp = 0; grp < BITMAP_GROUPS; grp += 1) {
      const from = grp * GROUP_BYTES;
      const to = Math.min(from + GROUP_BYTES, this.bits.length);
      if (!isZero(this.bits, from, to)) rows.push({ key: bitmapKey(this.block, grp), bits: Buffer.from(this.bits.subarray(from, to)) });
    }
    return rows;
  }

  /** Moves the staged rows into the slices: word `group` of each slice. */
  private unstage(): void {
    const group = this.group;
    if (group < 0) return;
    this.group = -1;
    const { stage, tile, words } = this;
    for (let column = 0; column < ROW_WORDS; column += 1) {
      let any = 0;
      for (let r = 0; r < STAGE_ROWS; r += 1) {
        const word = stage[r * ROW_WORDS + column] as number;
        tile[r] = word;
        any |= word;
      }
      if (any === 0) continue;
      transpose32(tile, 0);
      // Bit r of tile[j]: row group × 32 + r has hash column × 32 + j.
      for (let j = 0; j < 32; j += 1) {
        const word = tile[j] as number;
        if (word === 0) continue;
        const at = (column * 32 + j) * SLICE_WORDS + group;
        words[at] = (words[at] as number) | word;
      }
    }
    stage.fill(0);
  }

  /** Without staging (a big-endian machine): each trigram's bit set in place. */
  private addDirect(row: number, loweredBody: string): void {
    const byte = row >>> 3;
    const bit = 1 << (row & 7);
    const bits = this.bits;
    let a = loweredBody.charCodeAt(0);
    let b = loweredBody.charCodeAt(1);
    for (let i = 2; i < loweredBody.length; i += 1) {
      const c = loweredBody.charCodeAt(i);
      const at = trigramHash(a, b, c) * SLICE_BYTES + byte;
      bits[at] = (bits[at] as number) | bit;
      a = b;
      b = c;
    }
  }
}

function isZero(bits: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (bits[i] !== 0) return false;
  return true;
}

/** Where the slice of `hash` is: its group (the stored row) and its 1-based offset in that row's `bits` (for `substr`). */
export function sliceLocation(hash: number): { grp: number; offset: number } {
  return { grp: Math.floor(hash / SLICES_PER_GROUP), offset: (hash % SLICES_PER_GROUP) * SLICE_BYTES + 1 };
}

/**
 * The row keys whose bit is set in every one of `slices` (one map per trigram: block → that block's slice), in
 * ascending order, between `first` and `last`. A block absent from any map has no candidate.
 */
export function candidateRows(slices: readonly ReadonlyMap<number, Uint8Array>[], first: number, last: number): number[] {
  const rows: number[] = [];
  const [smallest, ...others] = [...slices].sort((x, y) => x.size - y.size);
  if (smallest === undefined) return rows;
  const blocks = [...smallest.keys()].sort((x, y) => x - y);
  const word = new Uint8Array(SLICE_BYTES);
  for (const block of blocks) {
    word.set(smallest.get(block) as Uint8Array);
    let any = true;
    for (const other of others) {
      const slice = other.get(block);
      if (slice === undefined) {
        any = false;
        break;
      }
      for (let i = 0; i < SLICE_BYTES; i += 1) word[i] = (word[i] as number) & (slice[i] as number);
    }
    if (!any) continue;
    const base = block << BLOCK_SHIFT;
    for (let i = 0; i < SLICE_BYTES; i += 1) {
      let byte = word[i] as number;
      while (byte !== 0) {
        const low = byte & -byte;
        const n = base + i * 8 + (31 - Math.clz32(low));
        if (n >= first && n <= last) rows.push(n);
        byte ^= low;
      }
    }
  }
  return rows;
}
