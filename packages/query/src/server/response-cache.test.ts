import { describe, expect, it } from 'vitest';
import type { MessageStore } from '@statbus/core';
import { ResponseCache } from './response-cache.js';

function fakeStore(): { store: MessageStore; move(): void } {
  let head = 1;
  return { store: { changesHead: () => Promise.resolve(String(head)) } as unknown as MessageStore, move: () => (head += 1) };
}

describe(ResponseCache, () => {
  describe('.answer', () => {
    describe('when the store has not changed', () => {
      it('should answer from the cache without computing', async () => {
        const { store } = fakeStore();
        const cache = new ResponseCache(store, 2);
        let computed = 0;
        const compute = (): Promise<unknown> => Promise.resolve({ n: (computed += 1) });
        expect(await cache.answer('a', compute)).toBe('{"n":1}');
        expect(await cache.answer('a', compute)).toBe('{"n":1}');
        expect(computed).toBe(1);
      });
    });
    describe('when the store\'s head moved', () => {
      it('should compute again (never stale)', async () => {
        const { store, move } = fakeStore();
        const cache = new ResponseCache(store, 2);
        let computed = 0;
        const compute = (): Promise<unknown> => Promise.resolve({ n: (computed += 1) });
        await cache.answer('a', compute);
        move();
        expect(await cache.answer('a', compute)).toBe('{"n":2}');
      });
    });
    describe('when more keys than entries are asked', () => {
      it('should drop the least recently used, and cache nothing with 0 entries', async () => {
        const { store } = fakeStore();
        const cache = new ResponseCache(store, 2);
        let computed = 0;
        const compute = (): Promise<unknown> => Promise.resolve((computed += 1));
        await cache.answer('a', compute);
        await cache.answer('b', compute);
        await cache.answer('a', compute);
        await cache.answer('c', compute);
        await cache.answer('a', compute);
        expect(computed).toBe(3);
        await cache.answer('b', compute);
        expect(computed).toBe(4);
        const none = new ResponseCache(store, 0);
        await none.answer('a', compute);
        await none.answer('a', compute);
        expect(computed).toBe(6);
      });
    });
  });
  describe('when the same key is asked again while it is being computed', () => {
    it('should compute once and give both the answer, and a failure to both', async () => {
      const { store } = fakeStore();
      const cache = new ResponseCache(store, 2);
      let computed = 0;
      let finish: (value: unknown) => void = () => undefined;
      const compute = (): Promise<unknown> => {
        computed += 1;
        return new Promise((resolve) => (finish = resolve));
      };
      const first = cache.answer('a', compute);
      const second = cache.answer('a', compute);
      await Promise.resolve();
      await Promise.resolve();
      finish({ n: 1 });
      expect(await Promise.all([first, second])).toEqual(['{"n":1}', '{"n":1}']);
      expect(computed).toBe(1);
      const failing = (): Promise<unknown> => Promise.reject(new Error('store down'));
      await expect(Promise.all([cache.answer('b', failing), cache.answer('b', failing)])).rejects.toThrow('store down');
      expect(await cache.answer('b', () => Promise.resolve(2))).toBe('2');
    });
  });
  describe('.cacheable', () => {
    it('should refuse only sliding windows', () => {
      expect(ResponseCache.cacheable({ delta: 1000 })).toBe(false);
      expect(ResponseCache.cacheable({ delta: 1000, end: 5000 })).toBe(true);
      expect(ResponseCache.cacheable({ categories: ['a'] })).toBe(true);
    });
  });
});
