import { describe, expect, it } from 'vitest';
import { GapTracker } from './gap-tracker.js';

const at = (n: number, seq: number, prevSeq: number) => ({ publisher: 'p1', n, seq, prevSeq });

describe(GapTracker, () => {
  describe('.observeStream', () => {
    describe('when the first message of a topic is seen mid-stream', () => {
      it('should take it as the baseline and report nothing', () => {
        const tracker = new GapTracker();
        expect(tracker.observeStream('a.b', at(40, 400, 390))).toBeUndefined();
        expect(tracker.observeStream('a.b', at(41, 402, 400))).toBeUndefined();
      });
    });

    describe('when messages of one topic are missing', () => {
      it('should report exactly how many, with the seq range they lie in', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(1, 1, 0));
        expect(tracker.observeStream('a.b', at(4, 9, 7))).toEqual({ from: 2, to: 7, missed: 2 });
      });
    });

    describe('when other topics of the producer are filtered out', () => {
      it('should not take their seq numbers for losses', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(1, 1, 0));
        expect(tracker.observeStream('a.b', at(2, 10, 1))).toBeUndefined();
        expect(tracker.observeStream('a.c', at(1, 11, 0))).toBeUndefined();
      });
    });

    describe('when the counter goes back (restart, duplicate)', () => {
      it('should take a new baseline', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(5, 5, 4));
        expect(tracker.observeStream('a.b', at(1, 1, 0))).toBeUndefined();
        expect(tracker.observeStream('a.b', at(2, 2, 1))).toBeUndefined();
      });
    });

    describe('when more streams than the limit are seen', () => {
      it('should forget the oldest', () => {
        const tracker = new GapTracker(2);
        tracker.observeStream('a', at(1, 1, 0));
        tracker.observeStream('b', at(1, 2, 0));
        tracker.observeStream('c', at(1, 3, 0));
        expect(tracker.size).toBe(2);
        expect(tracker.observeStream('a', at(5, 9, 8))).toBeUndefined();
      });

      it('should bound the streams of every publisher together, forgetting the oldest publisher first', () => {
        const tracker = new GapTracker(3);
        for (let publisher = 0; publisher < 50; publisher += 1) {
          tracker.observeStream('a', { publisher: `p${publisher}`, n: 1, seq: 1, prevSeq: 0 });
          tracker.observeStream('b', { publisher: `p${publisher}`, n: 1, seq: 2, prevSeq: 1 });
          expect(tracker.size).toBeLessThanOrEqual(3);
        }
        expect(tracker.observeStream('b', { publisher: 'p49', n: 3, seq: 9, prevSeq: 8 })).toEqual({ from: 3, to: 8, missed: 1 });
        expect(tracker.observeStream('a', { publisher: 'p0', n: 5, seq: 9, prevSeq: 8 })).toBeUndefined();
      });

      it('should keep counting a publisher whose last stream was just forgotten to make room', () => {
        const tracker = new GapTracker(1);
        tracker.observeStream('a', at(1, 1, 0));
        tracker.observeStream('b', at(1, 2, 1));
        expect(tracker.observeStream('b', at(3, 5, 4))).toEqual({ from: 3, to: 4, missed: 1 });
        expect(tracker.size).toBe(1);
      });
    });
  });

  describe('.observeInstance', () => {
    describe('when seq has a hole', () => {
      it('should report every missing seq', () => {
        const tracker = new GapTracker();
        expect(tracker.observeInstance('i', 7)).toBeUndefined();
        expect(tracker.observeInstance('i', 8)).toBeUndefined();
        expect(tracker.observeInstance('i', 12)).toEqual({ from: 9, to: 11, missed: 3 });
      });
    });
  });
});
