import type { ArchivedMessage, InsertedChanges } from '@statbus/core';
import type { WrittenBatch } from './sqlite-batch-writer.js';

/**
 * What `insertMany` hands to its listeners: the stored messages with their feed positions, exactly as the change
 * feed returns them after the position before the first. The rows were written in one transaction holding the
 * write lock, so nothing else sits between their positions. Undefined when nothing was stored.
 */
export function insertedChanges(messages: readonly ArchivedMessage[], stored: WrittenBatch['stored']): InsertedChanges | undefined {
  const first = stored[0];
  if (first === undefined) return undefined;
  return {
    after: String(first.n - 1),
    changes: stored.map(({ index, n }) => {
      const message = messages[index] as ArchivedMessage;
      // As stored (and as the feed returns it): the time in whole milliseconds.
      const { time } = message.envelope;
      return { position: String(n), message: Number.isInteger(time) ? message : { ...message, envelope: { ...message.envelope, time: Math.trunc(time) } } };
    }),
  };
}
