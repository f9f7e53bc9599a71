import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, runSqliteMigrations, type SqliteMigration } from './sqlite-migrations.js';

describe(runSqliteMigrations, () => {
  const open: Database.Database[] = [];
  const dirs: string[] = [];

  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function connections(count: number): Database.Database[] {
    const dir = mkdtempSync(join(tmpdir(), 'statbus-migrations-'));
    dirs.push(dir);
    return Array.from({ length: count }, () => {
      const db = new Database(join(dir, 'store.db'));
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      open.push(db);
      return db;
    });
  }

  it('should apply every step once and nothing on a second run', () => {
    const [db] = connections(1) as [Database.Database];
    expect(runSqliteMigrations(db)).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
    expect(runSqliteMigrations(db)).toEqual([]);
  });

  describe('when another process applies the steps after this one read which were applied', () => {
    it('should skip them instead of failing on tables that already exist', () => {
      const [first, second] = connections(2) as [Database.Database, Database.Database];
      // The list is iterated after `second` has read schema_migrations (still empty); the first
      // iteration lets `first` migrate the same file, as a process starting at the same moment would.
      let raced = false;
      const racing: SqliteMigration[] = [...SQLITE_MIGRATIONS];
      racing[Symbol.iterator] = function* iterate(): ArrayIterator<SqliteMigration> {
        if (!raced) {
          raced = true;
          expect(runSqliteMigrations(first)).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
        }
        yield* SQLITE_MIGRATIONS;
      };
      expect(runSqliteMigrations(second, racing)).toEqual([]);
      expect(raced).toBe(true);
      expect(second.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(SQLITE_MIGRATIONS.length);
    });
  });
});
