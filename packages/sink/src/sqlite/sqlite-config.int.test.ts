import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configSchema, type ArchivedMessage } from '@statbus/core';
import { makeStoreFixture, waitFor } from '@statbus/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMessageStore } from '../create-message-store.js';
import { sqliteStoreOptionsFromConfig } from './sqlite-config-options.js';
import type { SqliteStoreOptions } from './sqlite-store-options.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-config-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The store `statbus.toml`'s `store` and `[sink.sqlite]` would make, as the sink module makes it. */
function storeFromConfig(path: string, sqlite: Record<string, unknown>, options: SqliteStoreOptions = {}): ReturnType<typeof createMessageStore> {
  const config = configSchema.parse({ store: `sqlite:${path}`, sink: { sqlite } });
  return createMessageStore(config.store, { sqlite: { ...sqliteStoreOptionsFromConfig(config.sink.sqlite), ...options } });
}

function counter(path: string, name: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT value FROM store_counter WHERE name = ?').pluck().get(name) as number;
  } finally {
    db.close();
  }
}

describe('SqliteMessageStore configured by [sink.sqlite]', () => {
  it('should fill the deferred indexes after a commit only with index_in_background on', async () => {
    const messages = makeStoreFixture({ count: 50 }).messages;
    const indexed: Record<string, number[]> = {};
    for (const background of [true, false]) {
      const path = join(dir, `background-${String(background)}.db`);
      const store = storeFromConfig(path, { index_in_background: background, index_idle_delay_ms: 0 });
      try {
        await store.init();
        await store.insertMany(messages);
        // Indexing in the background happens on the store's index worker; without it nothing is indexed until asked.
        if (background) await waitFor(() => counter(path, 'side_indexed') === 50 && counter(path, 'text_indexed') === 50, { message: 'both indexes filled' });
        indexed[String(background)] = [counter(path, 'side_indexed'), counter(path, 'text_indexed')];
      } finally {
        await store.close();
      }
    }
    expect(indexed).toEqual({ true: [50, 50], false: [0, 0] });
  });

  it('should wait index_idle_delay_ms for more messages before indexing a small backlog', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const messages = makeStoreFixture({ count: 50 }).messages;
    try {
      const indexed: Record<string, number> = {};
      for (const delay of [10, undefined]) {
        const path = join(dir, `delay-${String(delay)}.db`);
        // On this thread, where the test's clock rules (the index worker's timers are its own).
        const store = storeFromConfig(path, delay === undefined ? {} : { index_idle_delay_ms: delay }, { indexInWorker: false });
        try {
          await store.init();
          await store.insertMany(messages);
          vi.advanceTimersByTime(50);
          indexed[String(delay)] = counter(path, 'text_indexed');
        } finally {
          await store.close();
        }
      }
      // The default waits 100 ms: after 50 it has not begun.
      expect(indexed).toEqual({ 10: 50, undefined: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('should refuse writes past max_page_count with a retryable error, as on a full disk', async () => {
    const path = join(dir, 'capped.db');
    const store = storeFromConfig(path, { max_page_count: 40 });
    const [first] = makeStoreFixture({ count: 1 }).messages;
    const big = (index: number): ArchivedMessage => ({
      ...(first as ArchivedMessage),
      envelope: { ...(first as ArchivedMessage).envelope, id: `big-${index}`, body: { text: 'x'.repeat(8000) } },
    });
    try {
      await store.init();
      await expect(store.insertMany(Array.from({ length: 100 }, (_, index) => big(index)))).rejects.toMatchObject({
        code: 'ERR_STORE',
        retryable: true,
        message: expect.stringMatching(/full/iu) as unknown,
      });
      expect((await store.count({})).count).toBe(0);
    } finally {
      await store.close();
    }
  });
});
