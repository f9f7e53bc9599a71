import { describe, expect, it } from 'vitest';
import { ConfirmWindow } from './confirm-window.js';

function drainAll<T>(window: ConfirmWindow<T>): T[] {
  const out: T[] = [];
  for (let item = window.next(); item !== undefined; item = window.next()) out.push(item);
  return out;
}

describe(ConfirmWindow, () => {
  describe('.next', () => {
    describe('when more items wait than the window holds', () => {
      it('should hand out only `limit` items, in order, and more as they are settled', () => {
        const window = new ConfirmWindow<number>(3);
        for (let item = 1; item <= 5; item += 1) window.enqueue(item);
        expect(drainAll(window)).toEqual([1, 2, 3]);
        expect([window.inFlight, window.waiting]).toEqual([3, 2]);
        expect(window.settle(2)).toBe(true);
        expect(drainAll(window)).toEqual([4]);
        expect(window.settle(1) && window.settle(3) && window.settle(4)).toBe(true);
        expect(drainAll(window)).toEqual([5]);
        window.settle(5);
        expect(window.idle).toBe(true);
      });
    });
  });

  describe('.settle', () => {
    describe('when the item is not in flight', () => {
      it('should return false and change nothing', () => {
        const window = new ConfirmWindow<string>(2);
        window.enqueue('a');
        expect(window.settle('a')).toBe(false);
        expect(window.waiting).toBe(1);
      });
    });
  });

  describe('.requeueInFlight', () => {
    describe('when a channel is lost with items in flight', () => {
      it('should put them back before the waiting ones, in sending order', () => {
        const window = new ConfirmWindow<number>(3);
        for (let item = 1; item <= 5; item += 1) window.enqueue(item);
        drainAll(window);
        window.settle(2);
        window.requeueInFlight();
        expect([window.inFlight, window.waiting]).toEqual([0, 4]);
        expect(drainAll(window)).toEqual([1, 3, 4]);
      });
    });
  });

  describe('.takeAll', () => {
    it('should remove everything, in flight first', () => {
      const window = new ConfirmWindow<number>(2);
      for (let item = 1; item <= 4; item += 1) window.enqueue(item);
      drainAll(window);
      expect(window.takeAll()).toEqual([1, 2, 3, 4]);
      expect(window.idle).toBe(true);
    });
  });

  describe('when many items pass through', () => {
    it('should keep FIFO order across its internal compaction', () => {
      const window = new ConfirmWindow<number>(10);
      const out: number[] = [];
      for (let item = 0; item < 5_000; item += 1) window.enqueue(item);
      while (!window.idle) {
        const batch = drainAll(window);
        batch.forEach((item) => window.settle(item));
        out.push(...batch);
      }
      expect(out).toEqual(Array.from({ length: 5_000 }, (_, index) => index));
    });
  });

  describe('constructor', () => {
    it('should refuse a window below 1', () => {
      expect(() => new ConfirmWindow(0)).toThrow(RangeError);
    });
  });
});
