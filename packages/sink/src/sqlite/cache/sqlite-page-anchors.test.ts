import { describe, expect, it } from 'vitest';
import { SqlitePageAnchors, type PageAnchor } from './sqlite-page-anchors.js';

const row = (time: number) => ({ time, id: `id-${time}` });
const unmoved = (): number => {
  throw new Error('should not count');
};

describe(SqlitePageAnchors, () => {
  describe('.nearest', () => {
    it('should give the furthest anchor at or before the offset in the same snapshot, without counting', () => {
      const anchors = new SqlitePageAnchors();
      for (const offset of [25, 50, 75]) anchors.record('k', { row: row(offset), offset, head: 9 });
      expect(anchors.nearest('k', 60, 9, unmoved)).toEqual({ row: row(50), offset: 50, head: 9 });
      expect(anchors.nearest('k', 75, 9, unmoved)?.offset).toBe(75);
      expect(anchors.nearest('k', 10, 9, unmoved)).toBeUndefined();
      expect(anchors.nearest('other', 60, 9, unmoved)).toBeUndefined();
    });

    it('should move an anchor of an older snapshot by the rows archived since that sort before it', () => {
      const anchors = new SqlitePageAnchors();
      anchors.record('k', { row: row(50), offset: 50, head: 9 });
      anchors.record('k', { row: row(25), offset: 25, head: 9 });
      const asked: PageAnchor[] = [];
      // 20 new rows in front: the anchor at 50 is now at 70, past 60; the one at 25 moves to 45.
      const found = anchors.nearest('k', 60, 12, (anchor) => (asked.push(anchor), 20));
      expect(found).toEqual({ row: row(25), offset: 45, head: 12 });
      expect(asked.map((anchor) => anchor.offset)).toEqual([50, 25]);
    });

    it('should skip anchors whose move cannot be counted, and those of a newer snapshot', () => {
      const anchors = new SqlitePageAnchors();
      anchors.record('k', { row: row(50), offset: 50, head: 9 });
      expect(anchors.nearest('k', 60, 30_000, () => undefined)).toBeUndefined();
      expect(anchors.nearest('k', 60, 8, unmoved)).toBeUndefined();
    });
  });

  describe('.record', () => {
    it('should keep the newer snapshot’s anchor for an offset', () => {
      const anchors = new SqlitePageAnchors();
      anchors.record('k', { row: row(2), offset: 50, head: 10 });
      anchors.record('k', { row: row(1), offset: 50, head: 9 });
      expect(anchors.nearest('k', 50, 10, unmoved)?.row).toEqual(row(2));
    });

    it('should drop the least recently used filter set beyond its capacity, and keep none with capacity 0', () => {
      const anchors = new SqlitePageAnchors(1);
      anchors.record('a', { row: row(1), offset: 5, head: 1 });
      anchors.record('b', { row: row(1), offset: 5, head: 1 });
      expect(anchors.nearest('a', 5, 1, unmoved)).toBeUndefined();
      expect(anchors.nearest('b', 5, 1, unmoved)).toBeDefined();
      const none = new SqlitePageAnchors(0);
      none.record('a', { row: row(1), offset: 5, head: 1 });
      expect(none.nearest('a', 5, 1, unmoved)).toBeUndefined();
    });
  });
});
