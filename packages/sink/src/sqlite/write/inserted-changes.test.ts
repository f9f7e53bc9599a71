import type { ArchivedMessage } from '@statbus/core';
import { makeStoreFixture } from '@statbus/testing';
import { describe, expect, it } from 'vitest';
import { insertedChanges } from './inserted-changes.js';

describe(insertedChanges, () => {
  const [a, b, c] = makeStoreFixture({ count: 3 }).messages as readonly [ArchivedMessage, ArchivedMessage, ArchivedMessage];

  describe('when some messages of the batch were stored', () => {
    it('should give them in stored order with their positions, after the position before the first', () => {
      const inserted = insertedChanges([a, b, c], [{ index: 0, n: 41 }, { index: 2, n: 42 }]);
      expect(inserted).toEqual({ after: '40', changes: [{ position: '41', message: a }, { position: '42', message: c }] });
    });
  });

  describe('when a message was sent with a time finer than milliseconds', () => {
    it('should give its time in whole milliseconds, as stored, and leave the given message unchanged', () => {
      const fine: ArchivedMessage = { ...a, envelope: { ...a.envelope, time: a.envelope.time + 0.75 } };
      const inserted = insertedChanges([fine], [{ index: 0, n: 1 }]);
      expect(inserted?.changes[0]?.message.envelope.time).toBe(a.envelope.time);
      expect(fine.envelope.time).toBe(a.envelope.time + 0.75);
    });
  });

  describe('when nothing was stored', () => {
    it('should give undefined', () => {
      expect(insertedChanges([a], [])).toBeUndefined();
    });
  });
});
