import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUERY_DEFAULTS, type QueryConfig } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { makeStoreFixture } from '@statbus/testing';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryServer } from './create-query-server.js';

// Query strings made of the parameters the routes read (and others), with random, hostile and well-formed
// values, sent to every route over a real SQLite store: never a 500, every refusal a JSON error body.
const BOUND = { numRuns: 400, interruptAfterTimeLimit: 6000 } as const;
const config: QueryConfig = { ...QUERY_DEFAULTS, cors_origins: [], poll_interval_ms: 50 };
const fixture = makeStoreFixture({ count: 300 });
const dir = mkdtempSync(join(tmpdir(), 'statbus-query-fuzz-'));
const store = new SqliteMessageStore(join(dir, 'archive.db'));
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  await store.init();
  await store.insertMany(fixture.messages);
  app = createQueryServer({ store, config, version: '9.9.9' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const PARAMETERS = [
  'topic', 'not_topic', 'category', 'not_category', 'user', 'not_user', 'package', 'not_package', 'agent', 'not_agent',
  'contains', 'not_contains', 'start', 'end', 'delta', 'page', 'rows_per_page', 'order', 'cursor', 'id', 'meta', 'size',
  'chrome', 'grouped', 'is_raw', 'callback', 'format', 'last_event_id', 'paging', 'envelope', '_', 'constructor', '__proto__',
];
const deep = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString())),
  fc.constantFrom('a..b', '##', 'a b', '*#', '#.#', '*', '', '.', 'org.*.#', 'asc', 'desc', 'true', 'no', '-1', '0', '1e400', 'NaN', '%', '%zz', 'x'.repeat(5000)),
  fc.integer({ min: 1, max: 2000 }).map(deep),
  fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json) ?? ''),
  fc.constantFrom(...fixture.topics.slice(0, 5), ...fixture.messages.slice(0, 3).map((message) => message.envelope.id)),
);
const pair = fc.tuple(fc.oneof(fc.constantFrom(...PARAMETERS), fc.string({ maxLength: 8 })), value, fc.boolean());
const queryString = fc.array(pair, { maxLength: 6 }).map((pairs) =>
  pairs.map(([key, text, raw]) => (raw ? `${key}=${text.replace(/[#&\s]/gu, '')}` : `${encodeURIComponent(key)}=${encodeURIComponent(text)}`)).join('&'),
);

/** A JSON error body, or one wrapped for JSONP (`callback=`), as datagrepper wraps its errors too. */
function isJsonError(text: string): boolean {
  const jsonp = /^\/\*\*\/ [\w.$]+\(([\s\S]*)\);$/u.exec(text);
  try {
    const body = JSON.parse(jsonp?.[1] ?? text) as { error?: unknown };
    return typeof body.error === 'string';
  } catch {
    return false;
  }
}

const ROUTES = ['/raw', '/v2/search', '/id', '/v2/id', '/export', '/count', '/topics', '/ready', '/live'];

describe('query routes (fuzz)', () => {
  it.each(ROUTES)('should answer random query strings on %s without a 500, each refusal a JSON error', async (route) => {
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const response = await app.inject({ method: 'GET', url: `${route}?${query}` });
        expect(response.statusCode, `${route}?${query}`).toBeLessThan(500);
        if (response.statusCode >= 400) expect(isJsonError(response.body), response.body).toBe(true);
      }),
      BOUND,
    );
  });

  it('should answer random ids, fields and tokens on the admin endpoints without a 500', async () => {
    const admin = createQueryServer({ store, config: { ...config, admin_token: 'fuzz-admin-token-0123456789abcdef' } });
    try {
      const id = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...fixture.messages.slice(0, 20).map((message) => message.envelope.id)));
      const authorization = fc.oneof(fc.constant('Bearer fuzz-admin-token-0123456789abcdef'), fc.string({ maxLength: 40 }), fc.constant(undefined));
      await fc.assert(
        fc.asyncProperty(id, fc.array(value, { maxLength: 3 }), authorization, fc.boolean(), async (target, fields, auth, remove) => {
          const path = `/admin/messages/${encodeURIComponent(target)}${remove ? '' : `/redact?${fields.map((field) => `field=${encodeURIComponent(field)}`).join('&')}`}`;
          const response = await admin.inject({ method: remove ? 'DELETE' : 'POST', url: path, headers: auth === undefined ? {} : { authorization: auth } });
          expect(response.statusCode, path).toBeLessThan(500);
          if (response.statusCode >= 400) expect(isJsonError(response.body), response.body).toBe(true);
        }),
        BOUND,
      );
    } finally {
      await admin.close();
    }
  });

  it('should open and close /stream on random query strings without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        const abort = new AbortController();
        try {
          const response = await fetch(`${base}/stream?${query}`, { signal: abort.signal });
          expect(response.status, `/stream?${query}`).toBeLessThan(500);
          if (response.status >= 400) expect(isJsonError(await response.text())).toBe(true);
        } finally {
          abort.abort();
        }
      }),
      { numRuns: 150, interruptAfterTimeLimit: 6000 },
    );
  });
});
