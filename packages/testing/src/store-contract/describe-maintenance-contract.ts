import { REDACTED, supportsMaintenance, type ArchiveMaintenance, type ArchivedMessage, type MessageQuery, type MessageStore } from '@statbus/core';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import type { StoreFactory } from './describe-store-contract.js';
import { referenceFind } from './reference-find.js';
import { makeStoreFixture } from './store-fixture.js';

const fixture = makeStoreFixture({ count: 500, seed: 1414 });

/**
 * The {@link ArchiveMaintenance} contract, for a store that implements it (a test of a store that does not is
 * skipped, saying so): after a delete, a redact or a prune, every way of finding messages (by user, package, agent,
 * topic, category, text), the counts and the topic catalogue agree with the same operation done on the fixture.
 */
export function describeMaintenanceContract(name: string, factory: StoreFactory): void {
  describe(`${name}: ArchiveMaintenance`, () => {
    let store: MessageStore;
    let remaining: ArchivedMessage[];

    beforeEach(async () => {
      store = await factory();
      await store.init();
      await store.insertMany(fixture.messages);
      remaining = [...fixture.messages];
    });
    afterEach(async () => {
      await store.close();
    });

    function maintained(context: TestContext): MessageStore & ArchiveMaintenance {
      if (!supportsMaintenance(store)) context.skip('this store does not implement ArchiveMaintenance');
      return store;
    }

    async function agrees(): Promise<void> {
      const sample = remaining.find((message) => message.users.length > 0 && message.packages.length > 0) ?? remaining[0];
      const queries: MessageQuery[] = [
        {},
        { users: [sample?.users[0] ?? ''] },
        { packages: [sample?.packages[0] ?? ''] },
        { agents: [sample?.agent ?? ''] },
        { categories: [fixture.categories[1] ?? ''] },
        { topics: [`${sample?.envelope.topic.split('.').slice(0, 4).join('.') ?? ''}.#`] },
        { contains: ['the'] },
      ];
      for (const query of queries) {
        const expected = referenceFind(remaining, query).slice(0, 100).map((message) => message.envelope.id);
        const page = await store.find({ ...query, rowsPerPage: 100 });
        expect(page.messages.map((message) => message.envelope.id), JSON.stringify(query)).toEqual(expected);
        expect(page.total, JSON.stringify(query)).toBe(referenceFind(remaining, query).length);
      }
      expect((await store.count({}, { estimate: true })).count).toBe(remaining.length);
      const topics = new Map<string, { count: number; first: number; last: number }>();
      for (const { envelope } of remaining) {
        const seen = topics.get(envelope.topic);
        topics.set(envelope.topic, { count: (seen?.count ?? 0) + 1, first: Math.min(seen?.first ?? envelope.time, envelope.time), last: Math.max(seen?.last ?? envelope.time, envelope.time) });
      }
      const catalogue = await store.topics();
      expect(catalogue.map((topic) => [topic.topic, topic.count, topic.firstSeen, topic.lastSeen])).toEqual(
        [...topics.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([topic, seen]) => [topic, seen.count, seen.first, seen.last]),
      );
    }

    it('should keep every index, count and the catalogue consistent after deleting messages by id', async (context) => {
      const target = maintained(context);
      // Asked first, so that whatever the store keeps between requests exists before the delete.
      await agrees();
      const victims = remaining.filter((_, index) => index % 7 === 0).map((message) => message.envelope.id);
      expect([...(await target.deleteMessages([...victims, 'no-such-id']))].sort()).toEqual([...victims].sort());
      remaining = remaining.filter((message) => !victims.includes(message.envelope.id));
      await agrees();
    });

    it('should keep them consistent after a prune by time and category, in batches', async (context) => {
      const target = maintained(context);
      const times = fixture.messages.map((message) => message.envelope.time).sort((a, b) => a - b);
      const before = times[Math.floor(times.length / 2)] ?? 0;
      const category = fixture.categories[0] ?? '';
      const expected = remaining.filter((message) => message.envelope.time < before && message.category === category).length;
      expect(await target.prune({ before, categories: [category] }, { batchSize: 13 })).toEqual({ deleted: expected, batches: Math.ceil(expected / 13) });
      remaining = remaining.filter((message) => !(message.envelope.time < before && message.category === category));
      await agrees();
    });

    it('should redact fields of one message, drop its signature, and answer false for an unknown id', async (context) => {
      const target = maintained(context);
      const message = remaining.find((candidate) => Object.keys(candidate.envelope.body).length > 0 && Object.keys(candidate.envelope.headers).length > 0) as ArchivedMessage;
      const key = Object.keys(message.envelope.body)[0] ?? '';
      const header = Object.keys(message.envelope.headers)[0] ?? '';
      expect(await target.redactMessage(message.envelope.id, [`body.${key}`, `headers.${header}`])).toBe(true);
      const redacted = await store.get(message.envelope.id);
      expect(redacted?.envelope.body[key]).toBe(REDACTED);
      expect(redacted?.envelope.headers[header]).toBe(REDACTED);
      expect(redacted?.envelope.signature).toBeUndefined();
      expect(await target.redactMessage('no-such-id', [])).toBe(false);
    });
  });
}
