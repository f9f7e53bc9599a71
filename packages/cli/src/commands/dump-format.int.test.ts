import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, type ArchivedMessage, type JsonObject } from '@statbus/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/in-process-cli.js';
import { DUMP_FORMATS } from './dump-command.js';

let cwd: string;
const storeEnv = (name: string): Record<string, string> => ({ STATBUS_STORE: `sqlite:${join(cwd, `${name}.db`)}` });

const producer = { name: 'bodhi', host: 'bodhi01.example.org', pid: 42, instance: 'bodhi-1' };
const SEED: { topic: string; users: string[]; packages: string[]; body: JsonObject }[] = [
  { topic: 'org.fedoraproject.prod.bodhi.update.comment', users: ['alice', 'bob'], packages: ['kernel'], body: { comment: { text: 'LGTM', karma: 1 } } },
  { topic: 'org.fedoraproject.prod.git.receive', users: ['carol'], packages: ['valgrind', 'gdb'], body: { commit: { repo: 'valgrind', branch: 'rawhide' } } },
  { topic: 'org.fedoraproject.prod.logger.log', users: [], packages: [], body: { log: 'hi', nested: { list: [1, 'two', null] } } },
];
const ORIGINAL = SEED.map(({ topic, users, packages, body }, index) => ({
  envelope: createEnvelope({
    topic,
    body,
    producer,
    seq: index + 1,
    time: Date.UTC(2024, 2, 1, 10, index, 7, 123),
    headers: { severity: 'info', ...(users.length === 0 ? {} : { usernames: users.join(',') }), ...(packages.length === 0 ? {} : { packages: packages.join(',') }) },
  }),
  users,
  packages,
}));

function records(ndjson: string): ArchivedMessage[] {
  return ndjson
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ArchivedMessage);
}

describe('statbus dump --format, read back by statbus db import', () => {
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'statbus-dump-format-'));
    const seeded = await runCli(['db', 'import', '-'], { cwd, env: storeEnv('original'), input: ORIGINAL.map((record) => JSON.stringify(record)).join('\n') });
    expect(seeded.code, seeded.stderr).toBe(0);
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it.each(DUMP_FORMATS)('should round-trip the archive through --format %s', async (format) => {
    const dumped = await runCli(['dump', '--format', format], { cwd, env: storeEnv('original') });
    expect(dumped.code, dumped.stderr).toBe(0);
    expect(dumped.stdout.trim().split('\n')).toHaveLength(ORIGINAL.length);
    const imported = await runCli(['db', 'import', '-'], { cwd, env: storeEnv(`copy-${format}`), input: dumped.stdout });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`${ORIGINAL.length} new, 0 already stored, 0 refused`);
    const copy = records((await runCli(['dump'], { cwd, env: storeEnv(`copy-${format}`) })).stdout);
    expect(copy.map((message) => ({ id: message.envelope.id, topic: message.envelope.topic, time: message.envelope.time, body: message.envelope.body, users: [...message.users].sort(), packages: [...message.packages].sort() }))).toEqual(
      ORIGINAL.map(({ envelope, users, packages }) => ({ id: envelope.id, topic: envelope.topic, time: envelope.time, body: envelope.body, users: [...users].sort(), packages: [...packages].sort() })),
    );
    if (format === 'archive' || format === 'envelope') expect(copy.map((message) => message.envelope)).toEqual(ORIGINAL.map(({ envelope }) => envelope));
  });

  it('should refuse an unknown format as a usage error naming the choices', async () => {
    const { code, stderr } = await runCli(['dump', '--format', 'xml'], { cwd, env: storeEnv('original') });
    expect(code).toBe(2);
    expect(stderr).toMatch(/archive, envelope, v1, v2/u);
  });
});
