import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_DEFAULTS } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import type { FastifyInstance } from 'fastify';
import { createQueryServer } from './create-query-server.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-raw-http-'));
const store = new SqliteMessageStore(join(dir, 'archive.db'));
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  await store.init();
  app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [] } });
  port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
});
afterAll(async () => {
  await app?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function exchange(request: string): Promise<{ status: number; headers: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body: body === '' ? undefined : (JSON.parse(body) as unknown) });
    });
  });
}

describe('answers outside the routes', () => {
  describe('when a client sends CONNECT (taking the API for a proxy)', () => {
    it('should answer 405 with the API\'s JSON error body and Allow, not close without a word', async () => {
      const answer = await exchange('CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n');
      expect(answer.status).toBe(405);
      expect(answer.headers).toMatch(/^Allow: GET, HEAD, OPTIONS$/imu);
      expect(answer.body).toMatchObject({ error: 'method_not_allowed' });
    });
  });

  describe('when Node\'s HTTP parser refuses the request', () => {
    it('should answer 400 with the same JSON body shape as every other error', async () => {
      const answer = await exchange('GET /raw HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'bad_request', message: expect.stringMatching(/^malformed HTTP request/u) as string });
    });
  });

  describe('when /id is asked without an id', () => {
    it.each(['/id', '/v2/id', '/id?id='])('should answer 400 naming id on %s', async (path) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'bad_request', parameter: 'id' });
    });
  });
});
