import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';
import { Broadcaster } from './broadcaster.js';

describe(AsyncQueue, () => {
  it('should hand items to a waiting consumer and to a later one, in order', async () => {
    const queue = new AsyncQueue<number>();
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
  });

  describe('when ended', () => {
    it('should give the buffered items, then finish, and refuse new ones', async () => {
      const queue = new AsyncQueue<number>();
      queue.push(1);
      queue.end();
      expect(queue.push(2)).toBe(false);
      const seen: number[] = [];
      for await (const item of queue) seen.push(item);
      expect(seen).toEqual([1]);
    });

    it('should wake a waiting consumer', async () => {
      const queue = new AsyncQueue<number>();
      const waiting = queue.next();
      queue.end();
      expect(await waiting).toEqual({ value: undefined, done: true });
    });
  });

  it('should refuse a second iteration', () => {
    const queue = new AsyncQueue<number>();
    queue[Symbol.asyncIterator]();
    expect(() => queue[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe(Broadcaster, () => {
  it('should give each listener the events published after it subscribed', async () => {
    const broadcaster = new Broadcaster<string>();
    broadcaster.publish('before');
    const one = broadcaster.subscribe();
    const two = broadcaster.subscribe();
    broadcaster.publish('a');
    broadcaster.publish('b');
    broadcaster.close();
    const read = async (iterable: AsyncIterable<string>): Promise<string[]> => {
      const seen: string[] = [];
      for await (const event of iterable) seen.push(event);
      return seen;
    };
    expect(await read(one)).toEqual(['a', 'b']);
    expect(await read(two)).toEqual(['a', 'b']);
  });

  it('should keep only the newest events for a listener that does not read', async () => {
    const broadcaster = new Broadcaster<number>(3);
    const listener = broadcaster.subscribe();
    for (let index = 0; index < 10; index += 1) broadcaster.publish(index);
    broadcaster.close();
    const seen: number[] = [];
    for await (const event of listener) seen.push(event);
    expect(seen).toEqual([7, 8, 9]);
  });

  it('should end a listener that subscribes after close', async () => {
    const broadcaster = new Broadcaster<number>();
    broadcaster.close();
    const iterator = broadcaster.subscribe()[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(true);
  });
});
