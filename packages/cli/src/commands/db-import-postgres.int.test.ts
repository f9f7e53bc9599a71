import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchivedMessage } from '@statbus/core';
import { DATANOMMER_SCHEMA_SQL, createScratchDatabase, postgresAnswers, type ScratchDatabase } from '@statbus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/in-process-cli.js';

const ADMIN_URL = process.env['POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const up = await postgresAnswers(ADMIN_URL);

const FILL_SQL = `
INSERT INTO messages (msg_id, i, topic, timestamp, category, username, msg, headers) VALUES
  ('2019-a', 1, 'org.fedoraproject.prod.bodhi.update.comment', '2019-05-01 10:00:00', 'bodhi', 'apache', '{"comment": {"text": "works", "karma": 1}}', NULL),
  ('2019-b', 2, 'org.fedoraproject.prod.git.receive', '2019-05-01 10:05:00', 'git', 'fedmsg', '{"commit": {"repo": "valgrind"}}', '{"sent-at": "2019-05-01T10:05:00+00:00"}'),
  ('2019-c', 3, 'org.fedoraproject.prod.logger.log', '2019-05-02 09:00:00', 'logger', 'root', '{"log": "hi"}', NULL);
INSERT INTO users (name) VALUES ('lmacken'), ('mjw');
INSERT INTO packages (name) VALUES ('valgrind'), ('kernel');
INSERT INTO users_messages SELECT u.id, m.id, m.timestamp FROM messages m, users u WHERE (m.msg_id = '2019-a' AND u.name = 'lmacken') OR (m.msg_id = '2019-b' AND u.name = 'mjw');
INSERT INTO packages_messages SELECT p.id, m.id, m.timestamp FROM messages m, packages p WHERE (m.msg_id = '2019-a' AND p.name = 'kernel') OR (m.msg_id = '2019-b' AND p.name = 'valgrind');
`;

describe.skipIf(!up)(`statbus db import postgresql://…${up ? '' : ` — skipped: PostgreSQL does not answer at ${ADMIN_URL}`}`, () => {
  let database: ScratchDatabase;
  let cwd: string;

  beforeAll(async () => {
    database = await createScratchDatabase(ADMIN_URL, { prefix: 'statbus_test_cli_import', sql: [DATANOMMER_SCHEMA_SQL, FILL_SQL] });
    cwd = mkdtempSync(join(tmpdir(), 'statbus-cli-pg-'));
  });

  afterAll(async () => {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('should import every message with its users and packages, and say how far it got', async () => {
    const env = { STATBUS_STORE: `sqlite:${join(cwd, 'all.db')}` };
    const imported = await runCli(['db', 'import', database.url], { cwd, env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`reading the datanommer database at ${database.url}`);
    expect(imported.stderr).toContain('read 3: 3 new, 0 already stored, 0 refused');
    const dumped = (await runCli(['dump'], { cwd, env })).stdout.trim().split('\n').map((line) => JSON.parse(line) as ArchivedMessage);
    expect(dumped.map((message) => ({ id: message.envelope.id, time: message.envelope.time, category: message.category, users: message.users, packages: message.packages }))).toEqual([
      { id: '2019-a', time: Date.UTC(2019, 4, 1, 10), category: 'bodhi', users: ['lmacken'], packages: ['kernel'] },
      { id: '2019-b', time: Date.UTC(2019, 4, 1, 10, 5), category: 'git', users: ['mjw'], packages: ['valgrind'] },
      { id: '2019-c', time: Date.UTC(2019, 4, 2, 9), category: 'logger', users: [], packages: [] },
    ]);
    const again = await runCli(['db', 'import', database.url], { cwd, env });
    expect(again.stderr).toContain('read 3: 0 new, 3 already stored, 0 refused');
  });

  it('should import only --since … --before from a database', async () => {
    const env = { STATBUS_STORE: `sqlite:${join(cwd, 'range.db')}` };
    const imported = await runCli(['db', 'import', database.url, '--since', '2019-05-01T10:01:00Z', '--before', '2019-05-03T00:00:00Z'], { cwd, env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('read 2: 2 new');
  });

  it('should fail naming a database that is not datanommer’s, exit 1', async () => {
    const { code, stderr } = await runCli(['db', 'import', ADMIN_URL], { cwd, env: { STATBUS_STORE: `sqlite:${join(cwd, 'none.db')}` } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/is not a datanommer database/u);
  });
});
