import type Database from 'better-sqlite3';

/** One step of the SQLite schema; applied once, in order, recorded in `schema_migrations`. */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, oldest first. Never edit a released step: add one.
 *
 * `messages.n` is the integer key every side table points at (cheaper than the text id); it grows with
 * insertion, which the change feed relies on. Users and packages are many-to-many tables keyed
 * `(name, time, n)` so a filter on them reads one index range in time order. `messages_time` holds the whole
 * order `(time, id)` (it grows at its end, and deep offset pages skip rows in it without reading them); the
 * topic, category and agent indexes end at the time: ties on a millisecond are few, SQLite sorts them by id
 * within the group and still stops at the page end, and those indexes are much smaller (ingest is mostly index upkeep). `message_text` is a
 * contentless FTS5 trigram index (`detail = none`, `columnsize = 0`: rowids only, no copy of the text) over
 * the lower-cased JSON body; it only proposes candidates for `contains`, which are then checked against the
 * body itself. It is filled after the commit, in the background, up to the `text_indexed` counter: rows past
 * it are checked directly, so `contains` never misses a stored message. `topic_summary` and the `messages`
 * counter are kept up to date by `insertMany`, in the same transaction, so the catalogue and totals are exact and cheap.
 *
 * Version 2 takes the users, packages and agent index rows out of `insertMany`: each batch touched pages all
 * over those three indexes (one random leaf per row), and writing those pages to the WAL at every commit was
 * most of the cost of ingest. `message_agents` replaces the `(agent, time)` index, and the three side tables are
 * filled after the commit, in large chunks, up to the `side_indexed` counter (the text index's scheme): rows
 * past it are matched on their own `users`, `packages` and `agent` columns, so no filter misses a stored message.
 * Version-1 files had their users and packages filled at insert: the counter starts at their last row.
 *
 * Version 3 lets the text index merge its segments 16 at a time instead of 4 (and forces a merge at 64
 * instead of 16): FTS5 rewrote every posting several times while indexing; filling the index now costs a
 * third less CPU (97k → 152k messages per CPU-second at 1M) and queries read no more (same time at 1M).
 *
 * Version 4 replaces the FTS5 index with bit-sliced trigram signatures (`text-signatures.ts`): on bodies of real
 * words FTS5 cost ~45 µs a message to fill, most of the archiver's time; signatures cost ~10. A block's rows
 * are appended together (`key` = block × groups + group), each about a page. The counter starts again at 0: an existing file is
 * signed in the background after the upgrade (rows not yet signed are checked directly meanwhile).
 *
 * Version 5 adds the metrics' rollups (`sqlite-rollups.ts`): one row per plugin × interval × bucket × key × field,
 * and each plugin's change-feed position, written in the same transaction so that a crash never loses nor doubles
 * a count. The primary key serves a plugin's range of buckets; `rollups_key` serves one key's buckets. An existing
 * archive gets empty tables: the metrics catch up from the archive at their next start.
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
