import type Database from 'better-sqlite3';
import type { InsertResult } from '@statbus/core';
import type { PreparedMessage } from '../schema/sqlite-rows.js';

interface SummaryDelta {
  topic: string;
  category: string;
  count: number;
  first_seen: number;
  last_seen: number;
}

/** What a batch wrote: for each newly stored message, its index in the batch and its row key `n` (its feed position). */
export interface WrittenBatch extends InsertResult {
  readonly stored: readonly { readonly index: number; readonly n: number }[];
}

/**
 * Writes batches of messages, one transaction each: the rows (their id, time, topic and category indexes grow
 * at a few places per batch), the topic summary and the message counter. The users, packages, agents and text
 * indexes are not written here but after the commit (`SqliteDeferredIndexer`).
 */
export class SqliteBatchWriter {
  private readonly insertRow: Database.Statement;
  private readonly upsertSummary: Database.Statement;
  private readonly addToCounter: Database.Statement;
  private readonly transaction: Database.Transaction<(batch: readonly PreparedMessage[]) => WrittenBatch>;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(`INSERT OR IGNORE INTO messages (id, time, topic, category, agent, producer_name, producer_host,
      producer_pid, producer_instance, seq, headers, body, signature, users, packages, verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.upsertSummary = db.prepare(`INSERT INTO topic_summary (topic, category, count, first_seen, last_seen)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (topic) DO UPDATE SET
      count = count + excluded.count, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`);
    this.addToCounter = db.prepare("UPDATE store_counter SET value = value + ? WHERE name = 'messages'");
    this.transaction = db.transaction((batch: readonly PreparedMessage[]) => this.writeRows(batch));
  }

  /**
   * Writes one batch in one IMMEDIATE transaction and returns after its commit (durable with `synchronous = FULL`):
   * which ids were new, which were already stored.
   */
  write(batch: readonly PreparedMessage[]): WrittenBatch {
    return this.transaction.immediate(batch);
  }

  /** {@link SqliteBatchWriter.write} in the caller's open transaction, without a savepoint of its own (a bulk load's). */
  writeInTransaction(batch: readonly PreparedMessage[]): WrittenBatch {
    return this.writeRows(batch);
  }

  private writeRows(batch: readonly PreparedMessage[]): WrittenBatch {
    const inserted: string[] = [];
    const duplicates: string[] = [];
    const stored: { index: number; n: number }[] = [];
    const topics = new Map<string, SummaryDelta>();
    for (let index = 0; index < batch.length; index += 1) {
      const { row } = batch[index] as PreparedMessage;
      // Positional binding: binding the row object by name looks up each of the sixteen keys for every row.
      const result = this.insertRow.run(row.id, row.time, row.topic, row.category, row.agent, row.producer_name, row.producer_host,
        row.producer_pid, row.producer_instance, row.seq, row.headers, row.body, row.signature, row.users, row.packages, row.verified);
      if (result.changes === 0) {
        duplicates.push(row.id);
        continue;
      }
      inserted.push(row.id);
      stored.push({ index, n: Number(result.lastInsertRowid) });
      const summary = topics.get(row.topic);
      if (summary === undefined) topics.set(row.topic, { topic: row.topic, category: row.category, count: 1, first_seen: row.time, last_seen: row.time });
      else {
        summary.count += 1;
        summary.first_seen = Math.min(summary.first_seen, row.time);
        summary.last_seen = Math.max(summary.last_seen, row.time);
      }
    }
    for (const s of topics.values()) this.upsertSummary.run(s.topic, s.category, s.count, s.first_seen, s.last_seen);
    if (inserted.length > 0) this.addToCounter.run(inserted.length);
    return { inserted, duplicates, stored };
  }
}
