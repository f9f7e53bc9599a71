import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, type TopicMatcher } from '@statbus/core';
import type { SqliteStoreOptions } from '../sqlite-store-options.js';
import type { SqliteTuning } from '../sqlite-tuning.js';
import { runSqliteMigrations } from './sqlite-migrations.js';
import { registerSqliteFunctions } from './sqlite-functions.js';

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : (error as Error).message;
}

/** Why a file SQLite could not open cannot be opened: better-sqlite3 says only "unable to open database file". */
function whyUnopenable(path: string, error: unknown): string {
  const dir = dirname(path);
  const exists = existsSync(path);
  for (const [target, mode, what] of [
    [dir, constants.W_OK | constants.X_OK, `directory ${dir} is not writable`],
    [path, constants.R_OK | constants.W_OK, `${path} is not readable and writable`],
  ] as const) {
    if (target === path && !exists) continue;
    try {
      accessSync(target, mode);
    } catch (denied) {
      return `${what} (${codeOf(denied)})`;
    }
  }
  return (error as Error).message;
}

/** The file, its directory created when missing; a failure names the path and the reason. */
function openFile(path: string): Database.Database {
  if (path === ':memory:') return new Database(path);
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = codeOf(error);
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a part of that path is a file, not a directory' : code;
    throw new StoreError(`SQLite store: cannot create directory ${dir} for ${path}: ${why}`, { retryable: false, cause: error });
  }
  try {
    return new Database(path);
  } catch (error) {
    throw new StoreError(`SQLite store: cannot open ${path}: ${whyUnopenable(path, error)}`, { retryable: false, cause: error });
  }
}

/**
 * Opens (creating its directory) and prepares a store file: WAL, the sync mode, cache, the SQL functions the
 * queries use, then every pending migration. Closes the file again if any of that fails. `tuning` gives the
 * lock wait, the page cache, the memory map and the checkpoint interval.
 *
 * @param matcher the compiled AMQP pattern for `topic_match(pattern, topic)`.
 */
export function openSqliteDatabase(
  path: string,
  options: SqliteStoreOptions,
  tuning: SqliteTuning,
  matcher: (pattern: string) => TopicMatcher,
): Database.Database {
  const db = openFile(path);
  try {
    // First, so that switching to WAL and migrating wait for another process opening the same file.
    db.pragma(`busy_timeout = ${tuning.busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma(`cache_size = -${tuning.cacheMb * 1024}`);
    db.pragma('temp_store = MEMORY');
    db.pragma(`mmap_size = ${tuning.mmapMb * 1024 * 1024}`);
    db.pragma(`wal_autocheckpoint = ${tuning.walAutocheckpointPages}`);
    registerSqliteFunctions(db, matcher);
    runSqliteMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
