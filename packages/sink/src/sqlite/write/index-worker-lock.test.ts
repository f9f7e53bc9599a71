import { describe, expect, it } from 'vitest';
import { IndexWorkerLock } from './index-worker-lock.js';

describe(IndexWorkerLock.name, () => {
  describe('.heldSince', () => {
    it('should say whether the worker holds the lock now or took it since the reading', () => {
      const store = new IndexWorkerLock();
      const worker = new IndexWorkerLock(store.buffer);
      const before = store.generation();
      expect(store.heldSince(before)).toBe(false);
      worker.acquired();
      expect(store.heldSince(before)).toBe(true);
      worker.released();
      expect(store.heldSince(before), 'taken and let go since').toBe(true);
      expect(store.heldSince(store.generation())).toBe(false);
    });
  });

  describe('.whenReleased', () => {
    it('should resolve at once when the lock is free, and on the release when it is held', async () => {
      const store = new IndexWorkerLock();
      const worker = new IndexWorkerLock(store.buffer);
      await store.whenReleased(10_000);
      worker.acquired();
      let released = false;
      const waiting = store.whenReleased(10_000).then(() => (released = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(released).toBe(false);
      worker.released();
      await waiting;
      expect(released).toBe(true);
    });

    it('should give up after the timeout while the lock stays held', async () => {
      const store = new IndexWorkerLock();
      new IndexWorkerLock(store.buffer).acquired();
      await store.whenReleased(1);
      expect(store.heldSince(store.generation())).toBe(true);
    });
  });
});
