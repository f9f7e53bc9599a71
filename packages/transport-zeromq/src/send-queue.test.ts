import { describe, expect, it } from 'vitest';
import { SendQueue, type SendableSocket } from './send-queue.js';

/** A socket that, like ZeroMQ's, rejects a second send while one is pending. */
class OnePendingSocket implements SendableSocket {
  readonly sent: string[] = [];
  #pending: (() => void) | undefined;
  block = false;

  send(frames: Buffer[]): Promise<void> {
    if (this.#pending !== undefined) return Promise.reject(Object.assign(new Error('busy'), { code: 'EBUSY' }));
    const text = frames.map(String).join('|');
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
