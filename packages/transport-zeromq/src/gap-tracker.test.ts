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
