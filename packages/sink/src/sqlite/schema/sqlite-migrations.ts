import type Database from 'better-sqlite3';

/** One step of the SQLite schema; applied once, in order, recorded in `schema_migrations`. */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, oldest first. Never edit a released step: add one (a file of any older version is brought up to
 * date at `init()`, so steps whose tables a later step drops stay as they were).
 *
 * The schema they leave:
 * - `messages.n` is the integer key every side table points at; it grows with insertion, which the change feed
 *   relies on. `messages_time` holds the whole order `(time, id)`, so offset pages skip rows in it without
 *   reading them; the topic and category indexes end at the time, which keeps them small.
 * - `topic_summary` and the `messages` counter are updated by `insertMany` in its own transaction, so the
 *   catalogue and unfiltered totals are exact and read in O(topics).
 * - Users, packages and agents live in side tables keyed `(value, time, n)`, so a filter on them reads one index
 *   range in time order. They are filled after the commit up to the `side_indexed` counter; rows past it are
 *   matched on their own columns, so no filter misses a stored message.
 * - `text_signatures` holds the `contains` index: trigram bitmaps (`text-index/trigram-bitmaps.ts`; the table's
 *   name is older than that module's), filled the same way up to `text_indexed`. Candidates are always checked
 *   against the body. Steps 1 and 3 concern an earlier text index that step 4 drops.
 * - `rollups` and `rollup_positions` (step 5) hold the metrics' rollups and each plugin's change-feed position,
 *   written in one transaction so that a crash never loses nor doubles a count.
 * - `messages.verified` (step 6) is 1 when the archiver verified the message's signature at ingest; rows
 *   archived before it are 0.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'messages, users, packages, text index, topic summary',
    sql: `
      CREATE TABLE messages (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        time INTEGER NOT NULL,
        topic TEXT NOT NULL,
        category TEXT NOT NULL,
        agent TEXT,
        producer_name TEXT NOT NULL,
        producer_host TEXT NOT NULL,
        producer_pid INTEGER NOT NULL,
        producer_instance TEXT NOT NULL,
        seq INTEGER NOT NULL,
        headers TEXT NOT NULL,
        body TEXT NOT NULL,
        signature TEXT,
        users TEXT NOT NULL,
        packages TEXT NOT NULL
      );
      CREATE INDEX messages_time ON messages (time, id);
      CREATE INDEX messages_topic_time ON messages (topic, time);
      CREATE INDEX messages_category_time ON messages (category, time);
      CREATE INDEX messages_agent_time ON messages (agent, time);
      CREATE TABLE message_users (
        user TEXT NOT NULL, time INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (user, time, n)
      ) WITHOUT ROWID;
      CREATE TABLE message_packages (
        package TEXT NOT NULL, time INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (package, time, n)
      ) WITHOUT ROWID;
      CREATE VIRTUAL TABLE message_text USING fts5 (
        text, tokenize = 'trigram case_sensitive 1', detail = none, content = '', columnsize = 0
      );
      CREATE TABLE topic_summary (
        topic TEXT PRIMARY KEY,
        category TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX topic_summary_category ON topic_summary (category);
      CREATE TABLE store_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO store_counter (name, value) VALUES ('messages', 0), ('text_indexed', 0);
    `,
  },
  {
    version: 2,
    name: 'users, packages and agents indexed after the commit',
    sql: `
      DROP INDEX messages_agent_time;
      CREATE TABLE message_agents (
        agent TEXT NOT NULL, time INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (agent, time, n)
      ) WITHOUT ROWID;
      INSERT INTO message_agents (agent, time, n) SELECT agent, time, n FROM messages WHERE agent IS NOT NULL ORDER BY agent, time, n;
      INSERT INTO store_counter (name, value) SELECT 'side_indexed', coalesce(max(n), 0) FROM messages;
    `,
  },
  {
    version: 3,
    name: 'text index merges less often',
    sql: `
      INSERT INTO message_text (message_text, rank) VALUES ('automerge', 16), ('crisismerge', 64);
    `,
  },
  {
    version: 4,
    name: 'text index of trigram signatures',
    sql: `
      DROP TABLE message_text;
      CREATE TABLE text_signatures (key INTEGER PRIMARY KEY, bits BLOB NOT NULL);
      UPDATE store_counter SET value = 0 WHERE name = 'text_indexed';
    `,
  },
  {
    version: 5,
    name: 'metrics rollups and their feed positions',
    sql: `
      CREATE TABLE rollups (
        plugin TEXT NOT NULL, interval TEXT NOT NULL, bucket INTEGER NOT NULL, key TEXT NOT NULL, field TEXT NOT NULL,
        value REAL NOT NULL, text TEXT,
        PRIMARY KEY (plugin, interval, bucket, key, field)
      ) WITHOUT ROWID;
      CREATE INDEX rollups_key ON rollups (plugin, interval, key, bucket);
      CREATE TABLE rollup_positions (
        plugin TEXT PRIMARY KEY, position TEXT NOT NULL, skip_before INTEGER, skip_until TEXT
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'verification result stored at ingest',
    sql: `
      ALTER TABLE messages ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
    `,
  },
];

/**
 * Brings the database to the latest schema, each step in its own transaction. Idempotent, and safe when
 * several processes open one file at once (two archivers and a query server starting together): each
 * step is re-checked inside its write transaction, so the one that comes second skips it.
 * Returns the versions it applied.
 */
export function runSqliteMigrations(db: Database.Database, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL
  )`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    const appliedHere = db.transaction(() => {
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version) !== undefined) return false;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
      return true;
    }).immediate();
    if (appliedHere) done.push(migration.version);
  }
  return done;
}
