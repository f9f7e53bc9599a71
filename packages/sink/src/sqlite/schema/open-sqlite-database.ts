import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, type TopicMatcher } from '@statbus/core';
import { DEFAULT_CACHE_MB, DEFAULT_MMAP_MB, type SqliteStoreOptions } from '../sqlite-store-options.js';
import { runSqliteMigrations } from './sqlite-migrations.js';
import { registerSqliteFunctions } from './sqlite-functions.js';

/** WAL pages between automatic checkpoints (4 KiB each: a WAL of up to ~80 MB). */
const WAL_AUTOCHECKPOINT_PAGES = 20_000;

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
 * queries use, then every pending migration. Closes the file again if any of that fails.
 *
 * @param matcher the compiled AMQP pattern for `topic_match(pattern, topic)`.
 */
export function openSqliteDatabase(path: string, options: SqliteStoreOptions, matcher: (pattern: string) => TopicMatcher): Database.Database {
  const db = openFile(path);
  try {
    // First, so that switching to WAL and migrating wait for another process opening the same file.
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // A page cache far above the 2 MB default keeps the hot index pages off the disk.
    db.pragma(`cache_size = -${(options.cacheMb ?? DEFAULT_CACHE_MB) * 1024}`);
    db.pragma('temp_store = MEMORY');
    // Reads through a memory map skip a system call and a copy per page, which `contains` pays for every candidate row it checks.
    db.pragma(`mmap_size = ${(options.mmapMb ?? DEFAULT_MMAP_MB) * 1024 * 1024}`);
    // Checkpointing every WAL_AUTOCHECKPOINT_PAGES instead of SQLite's 1,000 copies a page dirtied by many
    // commits back to the file once, not after every commit.
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    registerSqliteFunctions(db, matcher);
    runSqliteMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
