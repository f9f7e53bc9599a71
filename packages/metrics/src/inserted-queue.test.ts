import { describe, expect, it } from 'vitest';
import type { ArchiveChange, InsertedChanges } from '@statbus/core';
import { InsertedQueue } from './inserted-queue.js';

/** A batch of `count` changes at positions after+1 … after+count (messages are not looked at). */
function batch(after: number, count: number): InsertedChanges {
  const changes = Array.from({ length: count }, (_, index) => ({ position: String(after + index + 1) }) as unknown as ArchiveChange);
  return { after: String(after), changes };
}

describe(InsertedQueue, () => {
  describe('.take', () => {
    it('should give the batches that follow on from the position, whole, up to the limit', () => {
      const queue = new InsertedQueue();
      queue.push(batch(10, 5));
      queue.push(batch(15, 5));
      queue.push(batch(20, 5));
      expect(queue.take('10', 12)).toMatchObject({ messages: 10, position: '20' });
      expect(queue.take('15', 100)).toMatchObject({ messages: 10, position: '25' });
      // At least one batch, however small the limit.
      expect(queue.take('10', 1)).toMatchObject({ messages: 5, position: '15' });
    });

    describe('when another writer stored something in between', () => {
      it('should stop at the gap, and give nothing for a position no batch starts at', () => {
        const queue = new InsertedQueue();
        queue.push(batch(10, 5));
        queue.push(batch(17, 5));
        expect(queue.take('10', 100)).toMatchObject({ messages: 5, position: '15' });
        expect(queue.take('15', 100)).toBeUndefined();
        expect(queue.take('12', 100)).toBeUndefined();
      });
    });
  });

  describe('.dropThrough', () => {
    it('should forget the batches that end at or before the position', () => {
      const queue = new InsertedQueue();
      queue.push(batch(10, 5));
      queue.push(batch(15, 5));
      queue.dropThrough('15');
      expect(queue.messages).toBe(5);
      expect(queue.take('10', 100)).toBeUndefined();
      expect(queue.take('15', 100)).toMatchObject({ messages: 5, position: '20' });
    });
  });

  describe('when more than its capacity waits', () => {
    it('should drop the oldest batches (the engine reads them from the feed)', () => {
      const queue = new InsertedQueue(10);
      queue.push(batch(0, 6));
      queue.push(batch(6, 6));
      expect(queue.messages).toBe(6);
      expect(queue.take('0', 100)).toBeUndefined();
      expect(queue.take('6', 100)).toMatchObject({ messages: 6, position: '12' });
    });
  });
});
