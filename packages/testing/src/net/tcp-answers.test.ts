import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { tcpAnswers } from './tcp-answers.js';

describe(tcpAnswers, () => {
  describe('when a server listens at the URL', () => {
    it('should resolve true', async () => {
      const server = createServer();
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      try {
        expect(await tcpAnswers(`amqp://guest:guest@127.0.0.1:${port}/%2F`)).toBe(true);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('when nothing listens there', () => {
    it('should resolve false', async () => {
      expect(await tcpAnswers(`postgresql://postgres@127.0.0.1:${await freePort()}/postgres`)).toBe(false);
    });
  });

  describe('when the URL names no port and its scheme has none', () => {
    it('should reject with a TypeError', async () => {
      await expect(tcpAnswers('http2://127.0.0.1/')).rejects.toThrow(TypeError);
    });
  });
});
