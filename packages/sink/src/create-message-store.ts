import { ConfigError, type MessageStore } from '@statbus/core';
import { MongoMessageStore } from './mongo/mongo-message-store.js';
import { SqliteMessageStore } from './sqlite/sqlite-message-store.js';
import type { SqliteStoreOptions } from './sqlite/sqlite-store-options.js';

/** Options of {@link createMessageStore}, by kind of store: each applies only when the URL names that kind. */
export interface MessageStoreOptions {
  /** For `sqlite:` URLs (the `[sink.sqlite]` config table). */
  readonly sqlite?: SqliteStoreOptions;
}

/**
 * The store a `store` URL names: `sqlite:<path>` (or `sqlite::memory:`) → {@link SqliteMessageStore},
 * `mongodb://…` / `mongodb+srv://…` → {@link MongoMessageStore}. Not initialised: call `init()`.
 *
 * @throws {ConfigError} for any other URL (never a silent default).
 */
export function createMessageStore(url: string, options: MessageStoreOptions = {}): MessageStore {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== '') return new SqliteMessageStore(path, options.sqlite);
  }
  if (/^mongodb(\+srv)?:\/\/.+/u.test(url)) return new MongoMessageStore(url);
  throw new ConfigError([{ path: 'store', message: `unknown store ${JSON.stringify(url)}; expected sqlite:<path> or a mongodb:// URL` }]);
}
