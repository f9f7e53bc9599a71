export { SqliteMessageStore } from './sqlite/sqlite-message-store.js';
export type { SqliteStoreOptions, SqliteSynchronous } from './sqlite/sqlite-message-store.js';
export { SQLITE_MIGRATIONS, runSqliteMigrations } from './sqlite/sqlite-migrations.js';
export type { SqliteMigration } from './sqlite/sqlite-migrations.js';
