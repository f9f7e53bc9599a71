import { describe, expect, it } from 'vitest';
import { isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { PublishBatcher, type BatchQueue } from './publish-batcher.js';
import type { Frames } from './send-queue.js';
import { SubscriberPrefixes } from './subscriber-prefixes.js';

/** A queue that records what it is given and takes it at once. */
function recordingQueue(): BatchQueue & { readonly sent: Frames[] } {
  const sent: Frames[] = [];
  return { sent, pending: 0, send: (frames) => (sent.push(frames), Promise.resolve()) };
}

const contents = (frames: Frames): string[] => {
  const buffer = Buffer.isBuffer(frames) ? frames : Buffer.from(typeof frames === 'string' ? frames : '');
  if (!isBatchFrame(buffer)) return [buffer.toString()];
  return (splitBatchFrame(buffer) as Buffer[]).map((frame) => frame.toString());
};

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(PublishBatcher.name, () => {
  describe('.send', () => {
    it('should send a lone message at once, alone', () => {
      const queue = recordingQueue();
      void new PublishBatcher(queue, new SubscriberPrefixes()).send('t.a', 't.a s1 p 1 1 0 {}');
      expect(queue.sent).toEqual(['t.a s1 p 1 1 0 {}']);
    });

    it('should send the rest of a turn as one batch at the end of the turn, in order', async () => {
      const queue = recordingQueue();
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes());
      const sends = Array.from({ length: 5 }, (_, index) => batcher.send(`t.${index % 2}`, `m${index}`));
      expect(queue.sent).toHaveLength(1);
      await Promise.all(sends);
      expect(queue.sent.map(contents)).toEqual([['m0'], ['m1', 'm2', 'm3', 'm4']]);
      await endOfTurn();
      void batcher.send('t.0', 'next');
      expect(queue.sent.at(-1)).toBe('next');
    });

    it('should close a batch where the audience changes, so that prefix filtering stays exact', async () => {
      const queue = recordingQueue();
      const prefixes = new SubscriberPrefixes();
      prefixes.observe(Buffer.from('\u0001t.a', 'latin1'));
      const batcher = new PublishBatcher(queue, prefixes);
      await Promise.all(['t.a', 't.a', 't.a', 't.b', 't.b', 't.a'].map((topic, index) => batcher.send(topic, `${topic}#${index}`)));
      expect(queue.sent.map(contents)).toEqual([['t.a#0'], ['t.a#1', 't.a#2'], ['t.b#3', 't.b#4'], ['t.a#5']]);
      expect(queue.sent.map((frames) => String(frames).split(' ')[0])).toEqual(['t.a#0', 't.a', 't.b', 't.a#5']);
    });

    it('should close a batch when it is full', async () => {
      const queue = recordingQueue();
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes(), { maxBytes: 1000, maxCount: 3 });
      await Promise.all(Array.from({ length: 8 }, (_, index) => batcher.send('t', `m${index}`)));
      expect(queue.sent.map(contents)).toEqual([['m0'], ['m1', 'm2', 'm3'], ['m4', 'm5', 'm6'], ['m7']]);
    });

    it('should reject every message of a batch the queue refused', async () => {
      const refusal = new Error('refused');
      let calls = 0;
      const queue: BatchQueue = { pending: 0, send: () => (++calls === 1 ? Promise.resolve() : Promise.reject(refusal)) };
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes());
      const results = await Promise.allSettled(['a', 'b', 'c'].map((frame) => batcher.send('t', frame)));
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    });
  });

  describe('when a message is given in pieces', () => {
    it('should send the pieces joined, alone or in a batch', async () => {
      const queue = recordingQueue();
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes());
      await Promise.all([batcher.send('t', ['t s1 ', '{"a":', '1}']), batcher.send('t', ['t s1 ', '{"b":2}']), batcher.send('t', 'm2')]);
      expect(queue.sent.map(contents)).toEqual([['t s1 {"a":1}'], ['t s1 {"b":2}', 'm2']]);
    });
  });

  describe('with a settlement', () => {
    it('should tell it once per ZeroMQ message, with the count of messages it held', async () => {
      const queue = recordingQueue();
      const counts: number[] = [];
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes(), { maxBytes: 1000, maxCount: 3 }, { sent: (count) => counts.push(count), refused: () => undefined });
      await Promise.all(Array.from({ length: 6 }, (_, index) => batcher.send('t', `m${index}`)));
      expect(counts).toEqual([1, 3, 2]);
    });

    it('should resolve what the settlement accepts and reject with what it throws', async () => {
      let calls = 0;
      const queue: BatchQueue = { pending: 0, send: () => (++calls === 1 ? Promise.reject(new Error('full')) : Promise.reject(new Error('closed'))) };
      const dropped: number[] = [];
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes(), undefined, {
        sent: () => undefined,
        refused: (count, error) => {
          if ((error as Error).message === 'full') return void dropped.push(count);
          throw new Error(`refused ${count}`);
        },
      });
      const results = await Promise.allSettled(['a', 'b', 'c'].map((frame) => batcher.send('t', frame)));
      expect(results.map((result) => (result.status === 'rejected' ? (result.reason as Error).message : 'fulfilled'))).toEqual(['fulfilled', 'refused 2', 'refused 2']);
      expect(dropped).toEqual([1]);
    });
  });

  describe('.sendAlone', () => {
    it('should go behind what is batched before it', async () => {
      const queue = recordingQueue();
      const batcher = new PublishBatcher(queue, new SubscriberPrefixes());
      void batcher.send('t', 'm0');
      void batcher.send('t', 'm1');
      void batcher.send('t', 'm2');
      await batcher.sendAlone([Buffer.from('beat')]);
      expect(queue.sent.map((frames) => (Array.isArray(frames) ? ['alone'] : contents(frames)))).toEqual([['m0'], ['m1', 'm2'], ['alone']]);
    });
  });
});
