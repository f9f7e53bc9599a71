import { describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { CONFIG, LOGGER, MESSAGE_STORE, TRANSPORT, configSchema, silentLogger, type Transport } from '@statbus/core';
import { Archiver } from './archiver/archiver.js';
import { createMessageStore } from './create-message-store.js';
import { MongoMessageStore } from './mongo/mongo-message-store.js';
import { sinkModule } from './sink-module.js';
import { SqliteMessageStore } from './sqlite/sqlite-message-store.js';
import { SQLITE_TUNING_DEFAULTS } from './sqlite/sqlite-tuning.js';

function container(store: string, sink: Record<string, unknown> = {}): Container {
  const root = new Container();
  root.bind(CONFIG).toConstantValue(configSchema.parse({ store, sink }));
  root.bind(LOGGER).toConstantValue(silentLogger);
  root.bind(TRANSPORT).toConstantValue({ kind: 'fake' } as Transport);
  root.load(sinkModule);
  return root;
}

describe('sinkModule', () => {
  describe('when config.store is an SQLite URL', () => {
    it('should bind MESSAGE_STORE to one SqliteMessageStore on that path', () => {
      const root = container('sqlite:/tmp/never-opened.db');
      const store = root.get(MESSAGE_STORE);
      expect(store).toBeInstanceOf(SqliteMessageStore);
      expect((store as SqliteMessageStore).path).toBe('/tmp/never-opened.db');
      expect(root.get(MESSAGE_STORE)).toBe(store);
    });
    it('should tune it by [sink.sqlite], keeping the defaults of the keys not given', () => {
      const store = container('sqlite:/tmp/never-opened.db', { sqlite: { walk_max_rows: 8000, cache_mb: 64 } }).get(MESSAGE_STORE) as SqliteMessageStore;
      expect(store.tuning).toEqual({ ...SQLITE_TUNING_DEFAULTS, walkMaxRows: 8000, cacheMb: 64 });
    });
  });
  describe('when config.store is a MongoDB URL', () => {
    it('should bind MESSAGE_STORE to a MongoMessageStore', () => {
      expect(container('mongodb://db.example:27017/statbus').get(MESSAGE_STORE)).toBeInstanceOf(MongoMessageStore);
    });
  });
  describe('when the archiver is asked for', () => {
    it('should build it from the bound transport, store, config and logger', () => {
      expect(container('sqlite::memory:').get(Archiver)).toBeInstanceOf(Archiver);
    });
  });
});

describe(createMessageStore, () => {
  describe('when the URL names no known store', () => {
    it('should throw a ConfigError naming store', () => {
      expect(() => createMessageStore('postgres://x')).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }) as Error);
      expect(() => createMessageStore('sqlite:')).toThrow(/store/u);
    });
  });
});
