import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '@statbus/core';
import { DATANOMMER_SCHEMA_SQL, createScratchDatabase, postgresAnswers, type ScratchDatabase } from '@statbus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { readDatanommer } from './datanommer-reader.js';
import { importInputRecords } from './import-records.js';

const ADMIN_URL = process.env['POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const MESSAGES = 2_500;
const up = await postgresAnswers(ADMIN_URL);

/** A datanommer database of {@link MESSAGES} messages (and one broken row), in a time zone other than UTC. */
const FILL_SQL = `
INSERT INTO messages (msg_id, i, topic, timestamp, category, username, source_name, source_version, msg, headers)
SELECT '2024-' || lpad(g::text, 8, '0'), g,
       CASE g % 3 WHEN 0 THEN 'org.fedoraproject.prod.git.receive' WHEN 1 THEN 'org.fedoraproject.prod.bodhi.update.comment' ELSE 'org.fedoraproject.prod.logger.log' END,
       timestamp '2024-01-01 00:00:00' + g * interval '1 second',
       CASE g % 3 WHEN 0 THEN 'git' WHEN 1 THEN 'bodhi' ELSE 'logger' END,
       'fedmsg', 'datanommer', '1.0', json_build_object('n', g, 'text', 'message ' || g)::text,
       CASE WHEN g % 2 = 0 THEN jsonb_build_object('fedora_messaging_schema', 'base.message', 'priority', 0) ELSE NULL END
FROM generate_series(1, ${MESSAGES}) g;
INSERT INTO messages (msg_id, i, topic, timestamp, category, msg) VALUES ('2024-broken', 0, 'org.fedoraproject.prod.logger.log', timestamp '2024-02-01 00:00:00', 'logger', '{not json');
INSERT INTO users (name) VALUES ('alice'), ('bob');
INSERT INTO packages (name) VALUES ('kernel'), ('valgrind');
INSERT INTO users_messages SELECT u.id, m.id, m.timestamp FROM messages m JOIN users u ON (u.name = 'alice' AND m.i % 2 = 0) OR (u.name = 'bob' AND m.i % 5 = 0);
INSERT INTO packages_messages SELECT p.id, m.id, m.timestamp FROM messages m JOIN packages p ON p.name = 'valgrind' AND m.topic LIKE '%.git.receive';
`;

describe.skipIf(!up)(`readDatanommer${up ? '' : ` — skipped: PostgreSQL does not answer at ${ADMIN_URL}`}`, () => {
  let database: ScratchDatabase;
  let empty: ScratchDatabase;
  let dir: string;

  beforeAll(async () => {
    database = await createScratchDatabase(ADMIN_URL, { prefix: 'statbus_test_datanommer', sql: [DATANOMMER_SCHEMA_SQL, FILL_SQL], timezone: 'America/New_York' });
    empty = await createScratchDatabase(ADMIN_URL, { prefix: 'statbus_test_datanommer_empty' });
    dir = mkdtempSync(join(tmpdir(), 'statbus-datanommer-'));
  }, 60_000);

  afterAll(async () => {
    await database.drop();
    await empty.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should stream every message with its users and packages, in batches, and refuse the broken row by name', async () => {
    const store = new SqliteMessageStore(join(dir, 'all.db'));
    await store.init();
    try {
      let estimate: number | undefined = -1;
      const batches: number[] = [];
      const summary = await importInputRecords(
        store,
        readDatanommer(database.url, {
          batchSize: 700,
          onEstimate: (rows) => {
            estimate = rows;
          },
        }),
        { batchSize: 1000, onProgress: (progress) => batches.push(progress.read) },
      );
      expect(estimate).not.toBe(-1);
      expect({ read: summary.read, inserted: summary.inserted, duplicates: summary.duplicates }).toEqual({ read: MESSAGES + 1, inserted: MESSAGES, duplicates: 0 });
      expect([...summary.refused.values()]).toEqual([1]);
      expect(summary.examples[0]).toMatch(/^messages\.id \d+: msg: not valid JSON/u);
      expect(batches.length).toBeGreaterThanOrEqual(3);
      expect((await store.count({})).count).toBe(MESSAGES);
      const tenth = await store.get('2024-00000010');
      expect(tenth).toMatchObject({ category: 'bodhi', envelope: { topic: 'org.fedoraproject.prod.bodhi.update.comment', time: Date.UTC(2024, 0, 1, 0, 0, 10), seq: 10, body: { n: 10, text: 'message 10' } } });
      expect([...(tenth?.users ?? [])].sort()).toEqual(['alice', 'bob']);
      const pushed = await store.get('2024-00000003');
      expect(pushed).toMatchObject({ category: 'git', packages: ['valgrind'] });
      expect((await store.count({ users: ['bob'] })).count).toBe(MESSAGES / 5);
      expect((await store.count({ packages: ['valgrind'] })).count).toBe(Math.floor(MESSAGES / 3));
      expect((await store.get('2024-00000002'))?.envelope.headers).toMatchObject({ fedora_messaging_schema: 'base.message' });
      const again = await importInputRecords(store, readDatanommer(database.url));
      expect({ inserted: again.inserted, duplicates: again.duplicates }).toEqual({ inserted: 0, duplicates: MESSAGES });
    } finally {
      await store.close();
    }
  });

  it('should read only a time range, taking the stored times as UTC', async () => {
    const records = [];
    for await (const record of readDatanommer(database.url, { start: Date.UTC(2024, 0, 1, 0, 0, 100), end: Date.UTC(2024, 0, 1, 0, 0, 200) })) records.push(record);
    expect(records).toHaveLength(100);
    expect(records[0]).toMatchObject({ value: { msg_id: '2024-00000100', timestamp: Date.UTC(2024, 0, 1, 0, 0, 100) / 1000 } });
  });

  it('should say a database without datanommer tables is not one', async () => {
    const reading = readDatanommer(empty.url).next();
    await expect(reading).rejects.toThrow(StoreError);
    await expect(readDatanommer(empty.url).next()).rejects.toThrow(/is not a datanommer database: it has no table "messages"/u);
  });

  it('should name the server it cannot reach, password hidden', async () => {
    await expect(readDatanommer('postgresql://postgres:secret@127.0.0.1:1/datanommer').next()).rejects.toThrow(/Cannot read the datanommer database at postgresql:\/\/postgres:\*+@127\.0\.0\.1:1\/datanommer/u);
  });
});
