import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GapTracker, type SeqHole } from './gap-tracker.js';

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
        expect(tracker.observeStream('a.b', at(4, 9, 7))).toEqual({ from: 2, to: 7, missed: 2, positions: { from: 2, to: 3 } });
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
        expect(tracker.observeStream('b', { publisher: 'p49', n: 3, seq: 9, prevSeq: 8 })).toMatchObject({ from: 3, to: 8, missed: 1 });
        expect(tracker.observeStream('a', { publisher: 'p0', n: 5, seq: 9, prevSeq: 8 })).toBeUndefined();
      });

      it('should keep counting a publisher whose last stream was just forgotten to make room', () => {
        const tracker = new GapTracker(1);
        tracker.observeStream('a', at(1, 1, 0));
        tracker.observeStream('b', at(1, 2, 1));
        expect(tracker.observeStream('b', at(3, 5, 4))).toMatchObject({ from: 3, to: 4, missed: 1 });
        expect(tracker.size).toBe(1);
      });
    });
  });

  describe('.observeBeat', () => {
    const beat = (n: number, seq: number) => ({ publisher: 'p1', n, seq });

    describe('when the heartbeat is beyond the last message seen', () => {
      it('should report the lost tail, the last message included, with who sent the stream', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(1, 1, 0), 'bodhi', 'i1');
        tracker.observeStream('a.b', at(2, 3, 1), 'bodhi', 'i1');
        expect(tracker.observeBeat('a.b', beat(5, 9))).toEqual({ from: 4, to: 9, missed: 3, positions: { from: 3, to: 5 }, producer: 'bodhi', instance: 'i1' });
      });

      it('should take its position as seen: the same heartbeat again and the next message report nothing', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(1, 1, 0));
        expect(tracker.observeBeat('a.b', beat(3, 3))?.missed).toBe(2);
        expect(tracker.observeBeat('a.b', beat(3, 3))).toBeUndefined();
        expect(tracker.observeStream('a.b', at(4, 4, 3))).toBeUndefined();
      });
    });

    describe('when the heartbeat is at or behind the last message seen', () => {
      it('should report nothing and change nothing', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(4, 4, 3));
        expect(tracker.observeBeat('a.b', beat(4, 4))).toBeUndefined();
        expect(tracker.observeBeat('a.b', beat(2, 2))).toBeUndefined();
        expect(tracker.observeStream('a.b', at(6, 6, 5))).toMatchObject({ from: 5, to: 5, missed: 1 });
      });
    });

    describe('when the heartbeat is the first thing seen of a stream (joined mid-stream)', () => {
      it('should take it as the baseline and report nothing, like a first message', () => {
        const tracker = new GapTracker();
        expect(tracker.observeBeat('a.b', beat(40, 400))).toBeUndefined();
        expect(tracker.observeStream('a.b', at(41, 401, 400))).toBeUndefined();
        expect(tracker.observeBeat('a.b', beat(43, 405))).toMatchObject({ from: 402, to: 405, missed: 2, producer: undefined, instance: undefined });
      });

      it('should not mix streams of other topics or publishers', () => {
        const tracker = new GapTracker();
        tracker.observeStream('a.b', at(1, 1, 0));
        expect(tracker.observeBeat('a.c', beat(9, 9))).toBeUndefined();
        expect(tracker.observeBeat('a.b', { publisher: 'p2', n: 9, seq: 9 })).toBeUndefined();
        expect(tracker.size).toBe(3);
      });
    });

    describe('whatever messages and heartbeats are lost, when a last heartbeat arrives', () => {
      it('should report exactly the messages lost after the first thing seen, and never a received one', () => {
        const stream = fc.array(fc.record({ step: fc.integer({ min: 1, max: 3 }), delivered: fc.boolean(), beatAfter: fc.boolean() }), { minLength: 1, maxLength: 40 });
        fc.assert(
          fc.property(stream, (messages) => {
            const tracker = new GapTracker();
            const holes: SeqHole[] = [];
            const received = new Set<number>();
            const lost: number[] = [];
            let baseline: number | undefined;
            let seq = 0;
            let prevSeq = 0;
            messages.forEach(({ step, delivered, beatAfter }, index) => {
              const n = index + 1;
              prevSeq = seq;
              seq += step;
              if (delivered) {
                baseline ??= n;
                received.add(seq);
                const hole = tracker.observeStream('a.b', at(n, seq, prevSeq));
                if (hole !== undefined) holes.push(hole);
              } else if (baseline !== undefined) {
                lost.push(seq);
              }
              if (beatAfter) {
                baseline ??= n;
                const hole = tracker.observeBeat('a.b', beat(n, seq));
                if (hole !== undefined) holes.push(hole);
              }
            });
            const last = tracker.observeBeat('a.b', beat(messages.length, seq));
            if (last !== undefined) holes.push(last);
            expect(holes.reduce((sum, hole) => sum + hole.missed, 0)).toBe(lost.length);
            for (const hole of holes) for (const got of received) expect(got < hole.from || got > hole.to).toBe(true);
            for (const gone of lost) expect(holes.some((hole) => hole.from <= gone && gone <= hole.to)).toBe(true);
          }),
          { numRuns: 500 },
        );
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
