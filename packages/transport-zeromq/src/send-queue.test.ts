import { describe, expect, it } from 'vitest';
import { SendQueue, type SendableSocket } from './send-queue.js';

/** A socket that, like ZeroMQ's, rejects a second send while one is pending. */
class OnePendingSocket implements SendableSocket {
  readonly sent: string[] = [];
  #pending: (() => void) | undefined;
  block = false;

  send(frames: Buffer | Buffer[]): Promise<void> {
    if (this.#pending !== undefined) return Promise.reject(Object.assign(new Error('busy'), { code: 'EBUSY' }));
    const text = (Array.isArray(frames) ? frames : [frames]).map(String).join('|');
    if (!this.block) {
      this.sent.push(text);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#pending = () => {
        this.#pending = undefined;
        this.sent.push(text);
        resolve();
      };
    });
  }

  release(): void {
    this.#pending?.();
  }
}

describe(SendQueue, () => {
  describe('.send', () => {
    describe('when many sends are made at once', () => {
      it('should hand them to the socket one at a time, in order', async () => {
        const socket = new OnePendingSocket();
        const queue = new SendQueue(socket);
        await Promise.all(Array.from({ length: 100 }, (_, index) => queue.send([Buffer.from(String(index))])));
        expect(socket.sent).toEqual(Array.from({ length: 100 }, (_, index) => String(index)));
      });
    });

    describe('when the socket is mute', () => {
      it('should keep later messages pending, never sending concurrently', async () => {
        const socket = new OnePendingSocket();
        socket.block = true;
        const queue = new SendQueue(socket);
        const first = queue.send([Buffer.from('a')]);
        const second = queue.send([Buffer.from('b')]);
        expect(queue.pending).toBe(2);
        socket.release();
        await first;
        socket.release();
        await second;
        expect(socket.sent).toEqual(['a', 'b']);
        await expect(queue.drained()).resolves.toBeUndefined();
      });
    });
  });

  describe('.send in immediate mode', () => {
    describe('when many sends are made in one turn', () => {
      it('should hand over the budget at once, without waiting for promises, and the rest in later turns, in order', async () => {
        const socket = new OnePendingSocket();
        const queue = new SendQueue(socket, { immediate: true, turnBudget: 10 });
        const sends = Array.from({ length: 25 }, (_, index) => queue.send(Buffer.from(String(index))));
        expect(socket.sent).toHaveLength(10);
        expect(queue.pending).toBe(15);
        await new Promise<void>((resolve) => setImmediate(resolve));
        expect(socket.sent).toHaveLength(20);
        await Promise.all(sends);
        expect(socket.sent).toEqual(Array.from({ length: 25 }, (_, index) => String(index)));
        await expect(queue.drained()).resolves.toBeUndefined();
      });
    });

    describe('when the socket throws', () => {
      it('should reject that send and keep sending the next ones', async () => {
        let calls = 0;
        const queue = new SendQueue(
          {
            send: () => {
              calls += 1;
              if (calls === 2) throw new Error('socket closed');
              return Promise.resolve();
            },
          },
          { immediate: true },
        );
        const results = await Promise.allSettled([queue.send(Buffer.from('a')), queue.send(Buffer.from('b')), queue.send(Buffer.from('c'))]);
        expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      });
    });

    describe('after fail', () => {
      it('should reject the waiting sends and every later one', async () => {
        const socket = new OnePendingSocket();
        const queue = new SendQueue(socket, { immediate: true, turnBudget: 1 });
        const first = queue.send(Buffer.from('a'));
        const waiting = queue.send(Buffer.from('b'));
        queue.fail(new Error('closed'));
        await first;
        await expect(waiting).rejects.toThrow('closed');
        await expect(queue.send(Buffer.from('c'))).rejects.toThrow('closed');
        expect(socket.sent).toEqual(['a']);
      });
    });
  });

  describe('.fail', () => {
    describe('when messages are waiting', () => {
      it('should reject them with the error given', async () => {
        const socket = new OnePendingSocket();
        socket.block = true;
        const queue = new SendQueue(socket);
        const first = queue.send([Buffer.from('a')]);
        const second = queue.send([Buffer.from('b')]);
        queue.fail(new Error('closed'));
        await expect(second).rejects.toThrow('closed');
        socket.release();
        await first;
        await queue.drained();
      });
    });
  });
});
