import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, QUERY_DEFAULTS, REDACTED, type Logger, type QueryConfig } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { makeStoreFixture } from '@statbus/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryServer } from '../server/create-query-server.js';

const TOKEN = 'a-long-enough-admin-token-0123456789';
const config: QueryConfig = { ...QUERY_DEFAULTS, cors_origins: [] };
const fixture = makeStoreFixture({ count: 200 });
const dir = mkdtempSync(join(tmpdir(), 'statbus-admin-'));
const store = new SqliteMessageStore(join(dir, 'archive.db'));
const logged: { msg: string; fields: Record<string, unknown> }[] = [];
const record = (fields: unknown, msg?: string): void => {
  logged.push({ msg: msg ?? '', fields: fields as Record<string, unknown> });
};
const logger = { trace: record, debug: record, info: record, warn: record, error: record, fatal: record, child: () => logger } as unknown as Logger;
let readOnly: FastifyInstance;
let admin: FastifyInstance;
let base: string;

beforeAll(async () => {
  await store.init();
  await store.insertMany(fixture.messages);
  readOnly = createQueryServer({ store, config });
  admin = createQueryServer({ store, config: { ...config, admin_token: TOKEN }, logger });
  base = await readOnly.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await readOnly.close();
  await admin.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const id = (index: number): string => fixture.messages[index]?.envelope.id ?? '';
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('the admin endpoints', () => {
  describe('when no token is configured', () => {
    it('should not exist: the API is read-only', async () => {
      const deleted = await readOnly.inject({ method: 'DELETE', url: `/admin/messages/${id(0)}`, headers: bearer });
      expect(deleted.statusCode).toBe(404);
      const redacted = await readOnly.inject({ method: 'POST', url: `/admin/messages/${id(0)}/redact`, headers: bearer });
      expect(redacted.statusCode).toBe(404);
      expect(await store.get(id(0))).toBeDefined();
    });
  });

  describe('when a token is configured', () => {
    it('should refuse a request without a token (401) or with a wrong one (403)', async () => {
      const none = await admin.inject({ method: 'DELETE', url: `/admin/messages/${id(1)}` });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/u);
      const wrong = await admin.inject({ method: 'DELETE', url: `/admin/messages/${id(1)}`, headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json()).toMatchObject({ error: 'forbidden' });
      expect(await store.get(id(1))).toBeDefined();
    });

    it('should delete a message by id, log it, and no longer serve it (not even from the cache)', async () => {
      const before = await admin.inject({ method: 'GET', url: `/raw?rows_per_page=100&order=asc&start=0&end=${Math.ceil(fixture.last / 1000) + 1}` });
      expect(before.body).toContain(id(2));
      const response = await admin.inject({ method: 'DELETE', url: `/admin/messages/${id(2)}`, headers: bearer });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ deleted: id(2) });
      expect(logged.some((entry) => entry.msg === 'message deleted by an admin request' && entry.fields['id'] === id(2))).toBe(true);
      expect((await admin.inject({ method: 'GET', url: `/id?id=${id(2)}` })).statusCode).toBe(404);
      const after = await admin.inject({ method: 'GET', url: `/raw?rows_per_page=100&order=asc&start=0&end=${Math.ceil(fixture.last / 1000) + 1}` });
      expect(after.body).not.toContain(id(2));
      expect((await admin.inject({ method: 'DELETE', url: `/admin/messages/${id(2)}`, headers: bearer })).statusCode).toBe(404);
    });

    it('should redact fields of a message and log it', async () => {
      const message = fixture.messages[3];
      const key = Object.keys(message?.envelope.body ?? {})[0] ?? '';
      const response = await admin.inject({ method: 'POST', url: `/admin/messages/${id(3)}/redact?field=body.${key}`, headers: bearer });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ redacted: id(3), fields: [`body.${key}`] });
      const served = (await admin.inject({ method: 'GET', url: `/v2/id?id=${id(3)}` })).json<{ body: Record<string, unknown> }>();
      expect(JSON.stringify(served)).toContain(REDACTED);
      expect(logged.some((entry) => entry.msg === 'message redacted by an admin request' && entry.fields['id'] === id(3))).toBe(true);
    });

    it('should answer a bad field path with a 400 naming it', async () => {
      const response = await admin.inject({ method: 'POST', url: `/admin/messages/${id(4)}/redact?field=producer.name`, headers: bearer });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad_request', parameter: 'field' });
    });
  });

  describe('the token file', () => {
    it('should be read, and a short or missing one refused by name', () => {
      const file = join(dir, 'token');
      writeFileSync(file, `${TOKEN}\n`);
      expect(() => createQueryServer({ store, config: { ...config, admin_token_file: file } })).not.toThrow();
      writeFileSync(file, 'short\n');
      expect(() => createQueryServer({ store, config: { ...config, admin_token_file: file } })).toThrow(ConfigError);
      expect(() => createQueryServer({ store, config: { ...config, admin_token_file: join(dir, 'none') } })).toThrow(/cannot read the token file/u);
    });
  });
});

describe('the HTTP limits and CORS', () => {
  it('should send no CORS headers unless origins are configured', async () => {
    const response = await fetch(`${base}/raw`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should answer 431 to a URL longer than max_header_bytes', async () => {
    const response = await fetch(`${base}/raw?contains=${'x'.repeat(config.max_header_bytes + 10)}`);
    expect(response.status).toBe(431);
    expect(await response.json()).toMatchObject({ error: 'bad_request' });
  });

  it('should answer 400 to rows_per_page above max_rows_per_page', async () => {
    const response = await fetch(`${base}/raw?rows_per_page=${config.max_rows_per_page + 1}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ parameter: 'rows_per_page' });
  });

  it('should answer 405 to a write method on a read route', async () => {
    const response = await fetch(`${base}/raw`, { method: 'DELETE' });
    expect(response.status).toBe(405);
  });
});
