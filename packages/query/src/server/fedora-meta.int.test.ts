import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_DEFAULTS, type QueryConfig } from '@statbus/core';
import { SqliteMessageStore, importRecords } from '@statbus/sink';
import { waitFor } from '@statbus/testing';
import type { FastifyInstance } from 'fastify';
import { createQueryServer } from './create-query-server.js';

// Real Fedora messages as datagrepper's v1 /raw gives them, without users or packages: statbus derives
// them at import, the way datanommer did with fedmsg_meta's rules.
const derived = [
  {
    msg_id: '2012-a1b2c3d4-0000-4000-8000-000000000001',
    i: 1,
    timestamp: 1344344053.2337201,
    topic: 'org.fedoraproject.prod.bodhi.update.comment',
    username: 'apache',
    msg: { comment: { update_title: 'valgrind-3.8.0-1.fc18', author: 'lmacken', text: 'Works for me /cc @codeblock', karma: 1, anonymous: false } },
  },
  {
    msg_id: '2012-a1b2c3d4-0000-4000-8000-000000000002',
    i: 2,
    timestamp: 1344350850.8867381,
    topic: 'org.fedoraproject.prod.git.receive',
    username: 'fedmsg',
    msg: { commit: { repo: 'valgrind', branch: 'master', username: 'mjw', email: 'mjw@redhat.com', summary: 'Clear CFLAGS.', message: 'Clear CFLAGS.', rev: '7a98f80d', stats: { files: {}, total: {} } } },
  },
  {
    msg_id: '2013-a1b2c3d4-0000-4000-8000-000000000003',
    i: 3,
    timestamp: 1359603469.2116399,
    topic: 'org.fedoraproject.prod.buildsys.tag',
    username: 'apache',
    msg: { release: '3.fc18', tag: 'f18-updates-testing-pending', name: 'stage', version: '4.1.1', user: 'bodhi', owner: 'ralph', tag_id: 216 },
  },
];

// A record as datagrepper (datanommer) serves it, with its own users, packages and source.
const given = {
  msg_id: '2016-31e1e282-c176-4a9e-94bc-e4ae34536d47',
  i: 3,
  timestamp: 1473355790,
  topic: 'org.fedoraproject.prod.copr.build.end',
  username: 'copr',
  msg: { status: 0, chroot: 'fedora-23-i386', user: 'churchyard', copr: 'python26', version: '2.6.9-1.fc26', build: 450811, owner: '@python', pkg: 'python26' },
  headers: {},
  users: ['churchyard', 'someone-datanommer-knew'],
  packages: ['python26'],
  source_name: 'datanommer',
  source_version: '0.6.5',
  certificate: null,
  signature: null,
  crypto: null,
};

const config: QueryConfig = { ...QUERY_DEFAULTS, cors_origins: [], poll_interval_ms: 50 };
const dir = mkdtempSync(join(tmpdir(), 'statbus-fedora-meta-'));
const store = new SqliteMessageStore(join(dir, 'archive.db'));
let app: FastifyInstance;
let base: string;

type RawPage = { total: number; raw_messages: Record<string, unknown>[] };

async function raw(query: string): Promise<RawPage> {
  const response = await fetch(`${base}/raw?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as RawPage;
}

const ids = (page: RawPage): unknown[] => page.raw_messages.map((message) => message['msg_id']);

beforeAll(async () => {
  await store.init();
  const input = Readable.from([...derived, given].map((record) => `${JSON.stringify(record)}\n`));
  const summary = await importRecords(store, input, { prefix: 'org.fedoraproject' });
  expect(summary.inserted).toBe(4);
  app = createQueryServer({ store, config, version: '1.2.3' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('users and packages of imported Fedora messages', () => {
  it('should find a bodhi comment by its author and by the user it mentions', async () => {
    await waitFor(async () => (await raw('user=codeblock')).total === 1);
    expect(ids(await raw('user=codeblock'))).toEqual([derived[0]?.msg_id]);
    expect(ids(await raw('user=lmacken'))).toEqual([derived[0]?.msg_id]);
  });

  it('should find the bodhi comment and the git push of a package', async () => {
    await waitFor(async () => (await raw('package=valgrind')).total === 2);
    expect(new Set(ids(await raw('package=valgrind')))).toEqual(new Set([derived[0]?.msg_id, derived[1]?.msg_id]));
  });

  it('should find a koji tag by owner, by tagger and by package', async () => {
    await waitFor(async () => (await raw('user=bodhi&package=stage')).total === 1);
    expect(ids(await raw('user=ralph'))).toEqual([derived[2]?.msg_id]);
  });

  it('should return the derived users and packages with meta=usernames,packages', async () => {
    const page = await raw(`topic=org.fedoraproject.prod.git.receive&meta=usernames&meta=packages`);
    expect(page.raw_messages[0]?.['meta']).toEqual({ usernames: ['mjw'], packages: ['valgrind'] });
    expect(page.raw_messages[0]).toMatchObject({ users: ['mjw'], packages: ['valgrind'] });
  });

  it('should give a datagrepper v1 record back as it was imported: users, packages and source kept', async () => {
    await waitFor(async () => (await raw('user=someone-datanommer-knew')).total === 1);
    const [back] = (await raw('user=someone-datanommer-knew')).raw_messages;
    const { headers: _headers, ...rest } = given;
    expect(back).toMatchObject(rest);
    expect(back?.['headers']).not.toHaveProperty('source_name');
    // The copr rules would have said churchyard and @python: what the record gives wins.
    expect(ids(await raw('user=@python'))).toEqual([]);
  });
});
