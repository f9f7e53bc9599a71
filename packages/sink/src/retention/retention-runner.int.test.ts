import { RETENTION_DEFAULTS, silentLogger } from '@statbus/core';
import { makeStoreFixture, waitFor } from '@statbus/testing';
import { describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { RetentionRunner } from './retention-runner.js';

describe(RetentionRunner, () => {
  it('should apply the rules at start, in batches, and report what it removed', async () => {
    const fixture = makeStoreFixture({ count: 300 });
    const store = new SqliteMessageStore(':memory:');
    await store.init();
    try {
      await store.insertMany(fixture.messages);
      const ageDays = (Date.now() - (fixture.first + fixture.last) / 2) / 86_400_000;
      const category = fixture.categories[0] ?? '';
      const runner = new RetentionRunner(store, { ...RETENTION_DEFAULTS, batch_size: 10, rules: [{ max_age_days: ageDays, topics: [], categories: [category] }] }, silentLogger);
      expect(runner.start()).toBe(true);
      await waitFor(() => runner.last !== undefined);
      await runner.stop();
      const cut = runner.last?.rules[0]?.selection.before ?? 0;
      const expected = fixture.messages.filter((message) => message.category === category && message.envelope.time < cut).length;
      expect(expected).toBeGreaterThan(10);
      expect(runner.last?.deleted).toBe(expected);
      expect(runner.last?.rules[0]?.batches).toBe(Math.ceil(expected / 10));
      expect((await store.stats()).total).toBe(fixture.messages.length - expected);
    } finally {
      await store.close();
    }
  });

  it('should not start without rules or with an interval of 0', () => {
    const store = new SqliteMessageStore(':memory:');
    expect(new RetentionRunner(store, { ...RETENTION_DEFAULTS, rules: [] }, silentLogger).start()).toBe(false);
    expect(new RetentionRunner(store, { ...RETENTION_DEFAULTS, interval_minutes: 0, rules: [{ max_age_days: 1, topics: [], categories: [] }] }, silentLogger).start()).toBe(false);
  });
});
