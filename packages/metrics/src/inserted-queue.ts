import type { ArchiveChange, InsertedChanges } from '@statbus/core';
import { comparePositions } from './compare-positions.js';

/** Most messages kept waiting; past it the oldest batches go (the engine then reads them from the feed). */
export const INSERTED_QUEUE_CAPACITY = 20_000;

interface QueuedBatch {
  readonly after: string;
  readonly last: string;
  readonly changes: readonly ArchiveChange[];
}

/** A run of queued batches that follow on from a position, and where they end. */
export interface InsertedRun {
  readonly batches: readonly (readonly ArchiveChange[])[];
  readonly messages: number;
  readonly position: string;
}

/**
 * What this process's store announced as newly stored ({@link InsertedChanges}), kept until the engine takes it in,
 * so that the engine need not read back from the change feed what it was just handed. Only a run that starts
 * exactly at the engine's position is taken; anything else (another writer in between, batches dropped for room)
 * is read from the feed as before, so what is taken is always exactly the feed's next messages.
 */
export class InsertedQueue {
  private batches: QueuedBatch[] = [];
  private size = 0;

  constructor(private readonly capacity: number = INSERTED_QUEUE_CAPACITY) {}

  get messages(): number {
    return this.size;
  }

  push(inserted: InsertedChanges): void {
    const last = inserted.changes[inserted.changes.length - 1];
    if (last === undefined) return;
    this.batches.push({ after: inserted.after, last: last.position, changes: inserted.changes });
    this.size += inserted.changes.length;
    while (this.size > this.capacity) {
      const dropped = this.batches.shift();
      if (dropped === undefined) break;
      this.size -= dropped.changes.length;
    }
  }

  /**
   * The batches that follow one another from `position` on, whole, up to `limit` messages (at least one batch);
   * `undefined` when no queued batch starts at `position`. They stay queued until {@link InsertedQueue.dropThrough}.
   */
  take(position: string, limit: number): InsertedRun | undefined {
    const start = this.batches.findIndex((batch) => batch.after === position);
    if (start < 0) return undefined;
    const batches: (readonly ArchiveChange[])[] = [];
    let messages = 0;
    let at = position;
    for (let index = start; index < this.batches.length; index += 1) {
      const batch = this.batches[index] as QueuedBatch;
      if (batch.after !== at || (messages > 0 && messages + batch.changes.length > limit)) break;
      batches.push(batch.changes);
      messages += batch.changes.length;
      at = batch.last;
    }
    return { batches, messages, position: at };
  }

  /** Forgets the batches that end at or before `position` (taken in, by this engine or another). */
  dropThrough(position: string): void {
    if (this.batches.length === 0) return;
    this.batches = this.batches.filter((batch) => {
      const keep = comparePositions(batch.last, position) > 0;
      if (!keep) this.size -= batch.changes.length;
      return keep;
    });
  }

  clear(): void {
    this.batches = [];
    this.size = 0;
  }
}
