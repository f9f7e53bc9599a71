import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckBatcher, type AckChannel } from './ack-batcher.js';

/** A channel that records what is written, as `tag` or `tag+` (multiple). */
class RecordingChannel implements AckChannel<number> {
  readonly written: string[] = [];

  ack(message: number, allUpTo?: boolean): void {
    this.written.push(allUpTo === true ? `${message}+` : String(message));
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(AckBatcher, () => {
  describe('.ack', () => {
    describe('when a run of deliveries is acked in one turn', () => {
      it('should write one multiple ack at the end of the turn', async () => {
        const channel = new RecordingChannel();
        const batcher = new AckBatcher(channel);
        const entries = [1, 2, 3].map((tag) => batcher.track(tag));
        for (const entry of entries) batcher.ack(entry);
        expect(channel.written).toEqual([]);
        await nextTurn();
        expect(channel.written).toEqual(['3+']);
        expect(batcher.size).toBe(0);
      });
    });

    describe('when a delivery before the acked ones is still unsettled', () => {
      it('should write a multiple ack up to it and single acks after it', async () => {
        const channel = new RecordingChannel();
        const batcher = new AckBatcher(channel);
        const [one, two, three, four, five] = [1, 2, 3, 4, 5].map((tag) => batcher.track(tag));
        for (const entry of [one, two, four, five]) if (entry !== undefined) batcher.ack(entry);
        await nextTurn();
        expect(channel.written).toEqual(['2+', '4', '5']);
        if (three !== undefined) batcher.ack(three);
        await nextTurn();
        expect(channel.written).toEqual(['2+', '4', '5', '3']);
        expect(batcher.size).toBe(0);
      });
    });
  });

  describe('.flush', () => {
    it('should write at once, and a lone ack without multiple', () => {
      const channel = new RecordingChannel();
      const batcher = new AckBatcher(channel);
      batcher.ack(batcher.track(7));
      batcher.flush();
      expect(channel.written).toEqual(['7']);
    });
  });

  describe('whatever the order of acks, nacks and flushes', () => {
    it('should settle every acked delivery exactly once and never one that was not acked', async () => {
      const step = fc.oneof(
        fc.constant({ kind: 'deliver' as const }),
        fc.record({ kind: fc.constantFrom('ack' as const, 'nack' as const), pick: fc.nat() }),
        fc.constant({ kind: 'flush' as const }),
        fc.constant({ kind: 'turn' as const }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
          // The broker's view: tags delivered and not yet settled, and what the application asked for.
          const outstanding = new Set<number>();
          const acked = new Set<number>();
          const settledByAck = new Set<number>();
          const channel: AckChannel<number> = {
            ack: (tag, allUpTo) => {
              expect(outstanding.has(tag), `ack of unknown tag ${tag}`).toBe(true);
              const covered = allUpTo === true ? [...outstanding].filter((other) => other <= tag) : [tag];
              for (const other of covered) {
                expect(acked.has(other), `tag ${other} settled by an ack it was not given`).toBe(true);
                outstanding.delete(other);
                settledByAck.add(other);
              }
            },
          };
          const batcher = new AckBatcher(channel);
          const entries: { tag: number; entry: ReturnType<typeof batcher.track>; settled: boolean }[] = [];
          for (const item of steps) {
            if (item.kind === 'deliver') {
              const tag = entries.length + 1;
              outstanding.add(tag);
              entries.push({ tag, entry: batcher.track(tag), settled: false });
            } else if (item.kind === 'flush') {
              batcher.flush();
            } else if (item.kind === 'turn') {
              await nextTurn();
            } else {
              const open = entries.filter((candidate) => !candidate.settled);
              const chosen = open[item.pick % Math.max(open.length, 1)];
              if (chosen === undefined) continue;
              chosen.settled = true;
              if (item.kind === 'ack') {
                acked.add(chosen.tag);
                batcher.ack(chosen.entry);
              } else {
                outstanding.delete(chosen.tag);
                batcher.settled(chosen.entry);
              }
            }
          }
          batcher.flush();
          expect([...settledByAck].sort((a, b) => a - b)).toEqual([...acked].sort((a, b) => a - b));
        }),
        { numRuns: 300 },
      );
    });
  });
});
