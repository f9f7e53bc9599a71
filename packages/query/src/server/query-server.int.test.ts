import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_DEFAULTS, type ArchivedMessage, type MessageQuery, type QueryConfig } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { FIXTURE_PREFIX, FIXTURE_START, makeStoreFixture, referenceFind, referencePage } from '@statbus/testing';
import type { FastifyInstance } from 'fastify';
import { metaFields } from '../format/message-meta.js';
import { createQueryServer } from './create-query-server.js';

const config: QueryConfig = { ...QUERY_DEFAULTS, cors_origins: ['https://apps.example.org'], poll_interval_ms: 50 };
const fixture = makeStoreFixture();
const dir = mkdtempSync(join(tmpdir(), 'statbus-query-'));
const store = new SqliteMessageStore(join(dir, 'archive.db'));
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  await store.init();
  for (let offset = 0; offset < fixture.messages.length; offset += 1000) await store.insertMany(fixture.messages.slice(offset, offset + 1000));
  app = createQueryServer({ store, config, version: '9.9.9' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, headers: response.headers };
}

const ids = (body: Record<string, unknown>, key = 'msg_id'): string[] => (body['raw_messages'] as Record<string, string>[]).map((m) => m[key] ?? '');
const s = (ms: number): string => String(ms / 1000);
const day = 86_400_000;
const user = fixture.users[3] ?? '';
const pkg = fixture.packages[5] ?? '';
const topic = fixture.topics[4] ?? '';

describe(createQueryServer, () => {
  describe('GET /raw', () => {
    describe.each<{ name: string; params: string; query: MessageQuery }>([
      { name: 'no parameter', params: '', query: {} },
      { name: 'a topic', params: `topic=${topic}`, query: { topics: [topic] } },
      { name: 'two topics, one a pattern', params: `topic=${topic}&topic=${FIXTURE_PREFIX}.koji.%23`, query: { topics: [topic, `${FIXTURE_PREFIX}.koji.#`] } },
      { name: 'a category', params: 'category=bodhi', query: { categories: ['bodhi'] } },
      { name: 'a user and a package', params: `user=${user}&package=${pkg}`, query: { users: [user], packages: [pkg] } },
      { name: 'an agent', params: `agent=${user}`, query: { agents: [user] } },
      { name: 'contains (case-sensitive)', params: 'contains=Karma', query: { contains: ['Karma'] } },
      { name: 'contains, case-sensitive: no lower-case match', params: 'contains=karma', query: { contains: ['karma'] } },
      { name: 'contains, case-insensitive', params: 'contains=KARMA&contains_case=insensitive', query: { contains: ['KARMA'], containsCase: 'insensitive' } },
      { name: 'regex-looking contains, taken as text', params: `contains=${encodeURIComponent('50% faster_build')}&contains=${encodeURIComponent('.*')}`, query: { contains: ['50% faster_build', '.*'] } },
      { name: 'every not_ form', params: `not_topic=${topic}&not_category=koji&not_user=${user}&not_package=${pkg}&not_agent=kevin&not_contains=rawhide`, query: { notTopics: [topic], notCategories: ['koji'], notUsers: [user], notPackages: [pkg], notAgents: ['kevin'], notContains: ['rawhide'] } },
      { name: 'start and end in epoch seconds', params: `start=${s(FIXTURE_START + 10 * day)}&end=${s(FIXTURE_START + 12 * day)}`, query: { start: FIXTURE_START + 10 * day, end: FIXTURE_START + 12 * day } },
      { name: 'start and end in ISO 8601', params: `start=${new Date(FIXTURE_START + 10 * day).toISOString()}&end=2024-01-13T00:00:00Z`, query: { start: FIXTURE_START + 10 * day, end: FIXTURE_START + 12 * day } },
      { name: 'delta before end, ascending', params: `end=${s(FIXTURE_START + 40 * day)}&delta=${(5 * day) / 1000}&order=asc`, query: { end: FIXTURE_START + 40 * day, delta: 5 * day, order: 'asc' } },
      { name: 'delta after start', params: `start=${s(FIXTURE_START + 40 * day)}&delta=${(3 * day) / 1000}`, query: { start: FIXTURE_START + 40 * day, delta: 3 * day } },
      { name: 'end alone (the 600 s before it)', params: `end=${s(fixture.last + 1)}`, query: { end: fixture.last + 1, delta: 600_000 } },
      { name: 'categories, users and contains, page 3 of 7 rows', params: `category=bodhi&category=copr&user=${user}&contains=ok&page=3&rows_per_page=7`, query: { categories: ['bodhi', 'copr'], users: [user], contains: ['ok'], page: 3, rowsPerPage: 7 } },
    ])('when the query is $name', ({ params, query }) => {
      it('should answer the reference page in datagrepper\'s shape', async () => {
        const { status, body } = await get(`/raw?${params}`);
        expect(status).toBe(200);
        const expected = referencePage(fixture.messages, query);
        expect(ids(body)).toEqual(expected.ids);
        expect(body).toMatchObject({ total: expected.total, pages: expected.pages, count: expected.ids.length });
        expect(body['arguments']).toMatchObject({ page: query.page ?? 1, rows_per_page: query.rowsPerPage ?? 25, order: query.order ?? 'desc' });
      });
    });

    describe('when a message is returned', () => {
      it('should have the v1 (datanommer) fields', async () => {
        const { body } = await get(`/raw?rows_per_page=1&category=koji&meta=usernames,packages`);
        const [message] = body['raw_messages'] as Record<string, unknown>[];
        const source = fixture.messages.find((m) => m.envelope.id === message?.['msg_id']) as ArchivedMessage;
        expect(message).toEqual({
          msg_id: source.envelope.id,
          i: source.envelope.seq,
          topic: source.envelope.topic,
          timestamp: source.envelope.time / 1000,
          msg: source.envelope.body,
          headers: source.envelope.headers,
          username: source.envelope.producer.name,
          users: source.users,
          packages: source.packages,
          source_name: 'statbus',
          source_version: '9.9.9',
          certificate: null,
          signature: source.verified === true ? (source.envelope.signature ?? null) : null,
          crypto: source.verified === true && source.envelope.signature !== undefined ? 'ed25519' : null,
          verified: source.verified === true,
          meta: { usernames: source.users, packages: source.packages },
        });
        expect(body['arguments']).toMatchObject({ categories: ['koji'], users: [], not_users: [], meta: ['usernames', 'packages'] });
      });
    });

    describe('when meta asks for every fedmsg.meta field', () => {
      it('should fill them from the message (link and icons null: the fixture carries no URL)', async () => {
        const { body } = await get(`/raw?rows_per_page=3&category=bodhi&meta=title,subtitle,link&meta=icon&meta=secondary_icon,objects,date`);
        const messages = body['raw_messages'] as { msg_id: string; meta: Record<string, unknown> }[];
        expect(messages).toHaveLength(3);
        for (const message of messages) {
          const source = fixture.messages.find((m) => m.envelope.id === message.msg_id) as ArchivedMessage;
          expect(message.meta).toEqual(metaFields(source, ['title', 'subtitle', 'link', 'icon', 'secondary_icon', 'objects', 'date']));
          expect(message.meta['subtitle']).toMatch(/^bodhi .+ by \S+/u);
        }
      });
    });

    describe('when grouped=true', () => {
      it('should answer the page\'s messages as conglomerates (count = groups, total = messages)', async () => {
        const { body } = await get(`/raw?category=koji&rows_per_page=40&grouped=true&meta=subtitle`);
        const expected = referencePage(fixture.messages, { categories: ['koji'], rowsPerPage: 40 });
        const groups = body['raw_messages'] as { msg_ids: Record<string, { msg_id: string; meta?: unknown }>; subtitle: string; topics: string[] }[];
        expect(groups.flatMap((group) => Object.keys(group.msg_ids)).sort()).toEqual([...expected.ids].sort());
        expect(groups.every((group) => group.topics.length === 1 && group.subtitle !== '')).toBe(true);
        expect(groups.flatMap((group) => Object.values(group.msg_ids)).every((message) => message.meta === undefined)).toBe(true);
        expect(body).toMatchObject({ count: groups.length, total: expected.total, arguments: { grouped: true } });
        expect(groups.length).toBeLessThan(40);
      });
    });

    describe('when size, chrome and is_raw are given (datagrepper\'s HTML card options)', () => {
      it('should accept them and answer the same JSON', async () => {
        const plain = await get('/raw?category=copr&rows_per_page=5');
        const dressed = await get('/raw?category=copr&rows_per_page=5&size=extra-large&chrome=false&is_raw=true');
        expect(dressed.status).toBe(200);
        expect(ids(dressed.body)).toEqual(ids(plain.body));
      });
    });

    describe('when walking by cursor', () => {
      it('should return the one-big-query result, then no next_cursor', async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const { body } = await get(`/raw?category=pagure&order=asc&rows_per_page=100${cursor === null ? '' : `&cursor=${cursor}`}`);
          seen.push(...ids(body));
          cursor = body['next_cursor'] as string | null;
        } while (cursor !== null);
        expect(seen).toEqual(referenceFind(fixture.messages, { categories: ['pagure'], order: 'asc' }).map((m) => m.envelope.id));
      });
    });

    describe('when the path has a trailing slash (fedmsg\'s backlog reader asks /raw/)', () => {
      it('should answer as without it', async () => {
        const { status, body } = await get(`/raw/?start=${s(FIXTURE_START)}&order=asc&rows_per_page=100&page=2`);
        expect(status).toBe(200);
        expect(ids(body)).toEqual(referencePage(fixture.messages, { start: FIXTURE_START, order: 'asc', rowsPerPage: 100, page: 2 }).ids);
      });
    });

    describe('when a JSONP callback is given', () => {
      it('should wrap the JSON in it as JavaScript', async () => {
        const response = await fetch(`${base}/raw?rows_per_page=1&callback=jQuery123_456&_=1700000000`);
        expect(response.headers.get('content-type')).toContain('application/javascript');
        const text = await response.text();
        expect(text).toMatch(/^\/\*\*\/ jQuery123_456\(\{.*\}\);$/su);
      });
    });

    describe('when the origin is allowed by CORS', () => {
      it('should send the CORS header', async () => {
        const { headers } = await get('/raw?rows_per_page=1', { origin: 'https://apps.example.org' });
        expect(headers.get('access-control-allow-origin')).toBe('https://apps.example.org');
      });
    });

    describe('when the input is bad', () => {
      it.each([
        ['an unknown parameter', 'rows=5', 'rows'],
        ['a parameter named like an Object method', 'constructor=1', 'constructor'],
        ['a bad start', 'start=yesterday', 'start'],
        ['a bad end', 'end=2024-13-45', 'end'],
        ['a negative delta', 'delta=-5', 'delta'],
        ['end before start', 'start=1700000000&end=1600000000', 'end'],
        ['rows_per_page over the limit', 'rows_per_page=101', 'rows_per_page'],
        ['rows_per_page 0', 'rows_per_page=0', 'rows_per_page'],
        ['page 0', 'page=0', 'page'],
        ['a bad order', 'order=random', 'order'],
        ['a repeated page', 'page=1&page=2', 'page'],
        ['a malformed cursor', 'cursor=not-a-cursor', 'cursor'],
        ['a topic pattern with a bad wildcard', 'topic=org.x.ko*ji', 'topic'],
        ['an empty user', 'user=', 'user'],
        ['an unknown meta', 'meta=colour', 'meta'],
        ['a callback that is code', `callback=${encodeURIComponent('alert(1)//')}`, 'callback'],
        ['an unknown size', 'size=huge', 'size'],
        ['a chrome that is not a boolean', 'chrome=maybe', 'chrome'],
        ['an is_raw that is not a boolean', 'is_raw=2', 'is_raw'],
        ['a grouped that is not a boolean', 'grouped=sometimes', 'grouped'],
      ])('should answer 400 naming the parameter for %s', async (_why, params, parameter) => {
        const { status, body } = await get(`/raw?${params}`);
        expect(status).toBe(400);
        expect(body).toMatchObject({ error: 'bad_request', parameter });
        expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/u);
      });
      it('should answer 400 naming cursor for a cursor of another query', async () => {
        const { body: first } = await get('/raw?category=koji&rows_per_page=5');
        const { status, body } = await get(`/raw?category=copr&rows_per_page=5&cursor=${String(first['next_cursor'])}`);
        expect(status).toBe(400);
        expect(body['parameter']).toBe('cursor');
      });
    });
  });

  describe('when a parameter is unknown to the endpoint', () => {
    it.each(['/raw', '/v2/search', '/id', '/v2/id', '/topics', '/count', '/export', '/stream'])('should answer 400 naming it on %s', async (path) => {
      const { status, body } = await get(`${path}?id=x&rows=5`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'bad_request', parameter: path.endsWith('id') ? 'rows' : expect.stringMatching(/^(id|rows)$/u) as unknown });
    });
  });

  describe('when another method than GET is used (datagrepper answers POST /raw with 405)', () => {
    it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('should answer %s with 405 JSON and Allow, whatever the body', async (method) => {
      for (const path of ['/raw', '/raw/', '/id?id=x', '/v2/search']) {
        const response = await fetch(`${base}${path}`, { method, body: 'user=adamw', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        expect({ path, status: response.status, allow: response.headers.get('allow') }).toEqual({ path, status: 405, allow: 'GET, HEAD, OPTIONS' });
        expect(await response.json()).toMatchObject({ error: 'method_not_allowed' });
      }
    });
    it('should answer OPTIONS with 204 (a CORS preflight here, as CORS is configured), and an unknown path with 404', async () => {
      const options = await fetch(`${base}/count`, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      const unknown = await fetch(`${base}/nowhere`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    });
  });

  describe('GET /v2/search', () => {
    it('should answer the same page in the fedora-messaging shape', async () => {
      const { body } = await get(`/v2/search?user=${user}&rows_per_page=3`);
      expect(ids(body, 'id')).toEqual(referencePage(fixture.messages, { users: [user], rowsPerPage: 3 }).ids);
      const [message] = body['raw_messages'] as Record<string, Record<string, unknown>>[];
      const source = fixture.messages.find((m) => m.envelope.id === (message?.['id'] as unknown)) as ArchivedMessage;
      expect(message).toMatchObject({ topic: source.envelope.topic, body: source.envelope.body, queue: null, priority: 0 });
      expect(message?.['headers']).toMatchObject({
        fedora_messaging_schema: 'base.message',
        'sent-at': new Date(source.envelope.time).toISOString().replace('Z', '+00:00'),
        [`fedora_messaging_user_${user}`]: true,
      });
    });
  });

  describe('GET /id and /v2/id', () => {
    it('should answer one message in each shape, and 404 for an unknown id', async () => {
      const message = fixture.messages[7] as ArchivedMessage;
      expect((await get(`/id?id=${message.envelope.id}`)).body).toMatchObject({ msg_id: message.envelope.id, msg: message.envelope.body });
      expect((await get(`/v2/id?id=${message.envelope.id}&is_raw=true`)).body).toMatchObject({ id: message.envelope.id, body: message.envelope.body });
      const missing = await get('/v2/id?id=2024-nope');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: 'not_found', parameter: 'id' });
    });
  });

  describe('GET /topics and /count', () => {
    it('should list the catalogue and count exactly', async () => {
      const { body } = await get('/topics?category=koji');
      const koji = fixture.messages.filter((m) => m.category === 'koji');
      expect((body['topics'] as { count: number }[]).reduce((sum, t) => sum + t.count, 0)).toBe(koji.length);
      expect(await get('/count')).toMatchObject({ body: { count: fixture.messages.length } });
      expect((await get(`/count?category=koji&not_user=${user}`)).body).toEqual({ count: referenceFind(fixture.messages, { categories: ['koji'], notUsers: [user] }).length, exact: true });
    });
  });

  describe('GET /export', () => {
    it('should stream every match as NDJSON, in order', async () => {
      const response = await fetch(`${base}/export?not_category=koji&order=asc&format=v1`);
      const lines = (await response.text()).trim().split('\n').map((line) => (JSON.parse(line) as { msg_id: string }).msg_id);
      const expected = referenceFind(fixture.messages, { notCategories: ['koji'], order: 'asc' }).map((m) => m.envelope.id);
      expect(response.headers.get('x-total-count')).toBe(String(expected.length));
      expect(lines).toEqual(expected);
    });
  });

  describe('GET /openapi.json, /docs, /live, /ready', () => {
    it('should answer each', async () => {
      expect((await get('/openapi.json')).body).toMatchObject({ openapi: '3.1.0' });
      expect((await fetch(`${base}/docs`)).headers.get('content-type')).toContain('text/html');
      expect(await get('/live')).toMatchObject({ status: 200 });
      expect(await get('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
    });
  });

  describe('when the store is down', () => {
    it('should answer 503 (never 500) and /ready 503', async () => {
      const downDir = mkdtempSync(join(tmpdir(), 'statbus-query-down-'));
      const down = new SqliteMessageStore(join(downDir, 'archive.db'));
      await down.init();
      await down.close();
      const server = createQueryServer({ store: down, config });
      try {
        const url = await server.listen({ host: '127.0.0.1', port: 0 });
        for (const path of ['/raw', '/v2/search?category=x', '/id?id=x', '/topics', '/count', '/export', '/stream', '/ready']) {
          const response = await fetch(`${url}${path}`);
          expect({ path, status: response.status }).toEqual({ path, status: 503 });
          expect(await response.json()).toMatchObject({ error: 'store_unavailable' });
        }
      } finally {
        await server.close();
        rmSync(downDir, { recursive: true, force: true });
      }
    });
  });
});
