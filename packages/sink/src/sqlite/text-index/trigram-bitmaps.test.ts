import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlockBitmaps,
  BITMAP_BLOCK_ROWS,
  BITMAP_GROUPS,
  TRIGRAM_HASHES,
  SLICE_BYTES,
  blockOf,
  candidateRows,
  sliceLocation,
  hashOfTrigram,
  trigramHash,
  type BitmapRow,
} from './trigram-bitmaps.js';
import { trigramsOf } from './trigram-sample.js';

/** The slices of `hashes`, per block, read from stored rows the way the store reads them (group row, offset). */
function slicesOf(rows: readonly BitmapRow[], hashes: readonly number[]): Map<number, Uint8Array>[] {
  return hashes.map((hash) => {
    const { grp, offset } = sliceLocation(hash);
    const blocks = new Map<number, Uint8Array>();
    for (const row of rows) {
      if (row.key % BITMAP_GROUPS === grp) blocks.set(Math.floor(row.key / BITMAP_GROUPS), row.bits.subarray(offset - 1, offset - 1 + SLICE_BYTES));
    }
    return blocks;
  });
}

function indexBodies(bodies: ReadonlyMap<number, string>): BitmapRow[] {
  const blocks = new Map<number, BlockBitmaps>();
  for (const [n, body] of bodies) {
    const block = blocks.get(blockOf(n)) ?? new BlockBitmaps(blockOf(n));
    blocks.set(block.block, block);
    block.add(n, body.toLowerCase());
  }
  return [...blocks.values()].flatMap((block) => block.rows());
}

/** The file format, written plainly: row `n`'s bit (byte `row / 8`, bit `row % 8`) in the slice of each trigram hash. */
function referenceRows(block: number, bodies: readonly (readonly [number, string])[]): BitmapRow[] {
  const bits = new Uint8Array(TRIGRAM_HASHES * SLICE_BYTES);
  for (const [n, body] of bodies) {
    const row = n - block * BITMAP_BLOCK_ROWS;
    for (let i = 2; i < body.length; i += 1) {
      const at = trigramHash(body.charCodeAt(i - 2), body.charCodeAt(i - 1), body.charCodeAt(i)) * SLICE_BYTES + (row >>> 3);
      bits[at] = (bits[at] ?? 0) | (1 << (row & 7));
    }
  }
  const groupBytes = Math.ceil(TRIGRAM_HASHES / BITMAP_GROUPS) * SLICE_BYTES;
  const rows: BitmapRow[] = [];
  for (let grp = 0; grp < BITMAP_GROUPS; grp += 1) {
    const slice = bits.subarray(grp * groupBytes, Math.min((grp + 1) * groupBytes, bits.length));
    if (slice.some((byte) => byte !== 0)) rows.push({ key: block * BITMAP_GROUPS + grp, bits: Buffer.from(slice) });
  }
  return rows;
}

describe('trigram bitmaps', () => {
  describe('BlockBitmaps', () => {
    it('should index a body as stored (addBody) exactly as its lower-cased text (add), ASCII or not', () => {
      fc.assert(
        fc.property(
          fc.array(fc.string({ unit: fc.constantFrom('a', 'B', 'z', 'Z', '@', '[', ' ', 'É', 'İ', 'Σ', '\u{1F600}'), maxLength: 40 }), { minLength: 1, maxLength: 40 }),
          (bodies) => {
            const [stored, lowered] = [new BlockBitmaps(1), new BlockBitmaps(1)];
            bodies.forEach((body, row) => {
              stored.addBody(BITMAP_BLOCK_ROWS + row, body);
              lowered.add(BITMAP_BLOCK_ROWS + row, body.toLowerCase());
            });
            expect(Buffer.concat(stored.rows().map((row) => row.bits)).equals(Buffer.concat(lowered.rows().map((row) => row.bits)))).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    });


    it('should write exactly the bits of the file format, rows in any order, repeated or not', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 3 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: BITMAP_BLOCK_ROWS - 1 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'é', ' ', '\u{1F600}'), maxLength: 60 })), { maxLength: 80 }),
          (block, rows) => {
            const bodies = rows.map(([row, body]) => [block * BITMAP_BLOCK_ROWS + row, body] as const);
            const built = new BlockBitmaps(block);
            for (const [n, body] of bodies) built.add(n, body);
            const [got, want] = [built.rows(), referenceRows(block, bodies)];
            expect(got.map((row) => row.key)).toEqual(want.map((row) => row.key));
            // Compared whole: a deep equality of hundreds of 3.5 KiB buffers takes seconds.
            expect(Buffer.concat(got.map((row) => row.bits)).equals(Buffer.concat(want.map((row) => row.bits)))).toBe(true);
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe('candidateRows', () => {
    it('should propose every row whose lower-cased body holds the needle, within the range', () => {
      const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', 'É', 'İ', '"', ' ', '\u{1F600}'), maxLength: 40 });
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 1, max: 3 * BITMAP_BLOCK_ROWS }), { minLength: 1, maxLength: 30 }),
          fc.array(text, { minLength: 30, maxLength: 30 }),
          fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '"', ' ', '\u{1F600}'), minLength: 3, maxLength: 6 }),
          fc.integer({ min: 0, max: 3 * BITMAP_BLOCK_ROWS }),
          (keys, texts, needle, first) => {
            const bodies = new Map(keys.map((n, i) => [n, texts[i] as string]));
            const lowered = needle.toLowerCase();
            const candidates = candidateRows(slicesOf(indexBodies(bodies), trigramsOf(lowered).map(hashOfTrigram)), first, 3 * BITMAP_BLOCK_ROWS);
            const holding = keys.filter((n) => n >= first && (bodies.get(n) as string).toLowerCase().includes(lowered)).sort((a, b) => a - b);
            expect(candidates.filter((n) => holding.includes(n))).toEqual(holding);
            expect(candidates).toEqual([...candidates].sort((a, b) => a - b));
            expect(candidates.every((n) => bodies.has(n) && n >= first)).toBe(true);
          },
        ),
      );
    });

    it('should propose few rows that do not hold a needle of four trigrams', () => {
      const bodies = new Map<number, string>();
      const words = ['update', 'build', 'karma', 'stable', 'testing', 'kernel', 'firefox', 'python3', 'systemd', 'x86_64'];
      let state = 7;
      for (let n = 1; n <= 2 * BITMAP_BLOCK_ROWS; n += 1) {
        let body = '';
        while (body.length < 1000) body += `${words[(state = (state * 1103515245 + 12345) % 2 ** 31) % words.length] as string} `;
        bodies.set(n, n === 77 ? `${body}quetzal` : body);
      }
      const candidates = candidateRows(slicesOf(indexBodies(bodies), trigramsOf('quetzal').slice(0, 4).map(hashOfTrigram)), 1, 2 * BITMAP_BLOCK_ROWS);
      expect(candidates).toContain(77);
      expect(candidates.length).toBeLessThan(20);
    });
  });

  describe('trigramHash', () => {
    it('should spread the trigrams of words over every hash value', () => {
      const seen = new Set<number>();
      for (let a = 97; a < 123; a += 1) for (let b = 97; b < 123; b += 1) for (let c = 32; c < 123; c += 1) seen.add(trigramHash(a, b, c));
      expect(seen.size).toBe(TRIGRAM_HASHES);
    });
  });

  describe('BlockBitmaps', () => {
    it('should refuse a row of another block', () => {
      expect(() => new BlockBitmaps(1).add(5, 'abc')).toThrow(RangeError);
    });

    it('should store no group of slices without a bit set', () => {
      const block = new BlockBitmaps(0);
      block.add(3, 'ab');
      expect(block.rows()).toEqual([]);
    });
  });
});
