import type { Collection, Filter } from 'mongodb';
import type { StoreStats, TopicCatalogueQuery, TopicSummary } from '@statbus/core';
import { validateCatalogueQuery } from '../query/validate-catalogue-query.js';
import type { MongoMessageDocument } from './mongo-document.js';
import { toMongoStoreError } from './mongo-errors.js';

/** One topic of the catalogue collection, kept by `insertMany`. */
export interface MongoTopicDocument {
  _id: string;
  category: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

/**
 * The topic catalogue of the MongoDB archive (`<collection>_topics`): one document per topic with its count and first
 * and last seen, kept by every insert (and by maintenance), so that `topics()` and `stats()` never scan the messages.
 */
export class MongoCatalogue {
  constructor(readonly topics: Collection<MongoTopicDocument>) {}

  /** The catalogue, filtered (see `MessageStore.topics`). */
  async list(query: TopicCatalogueQuery = {}): Promise<readonly TopicSummary[]> {
    const valid = validateCatalogueQuery(query);
    const filter: Filter<MongoTopicDocument> = {};
    if (valid.categories !== undefined && valid.categories.length > 0) filter.category = { $in: [...valid.categories] };
    if (valid.start !== undefined) filter.lastSeen = { $gte: valid.start };
    if (valid.end !== undefined) filter.firstSeen = { $lt: valid.end };
    try {
      const documents = await this.topics.find(filter).sort({ _id: 1 }).toArray();
      return documents.map((d) => ({ topic: d._id, category: d.category, count: d.count, firstSeen: d.firstSeen, lastSeen: d.lastSeen }));
    } catch (error) {
      throw toMongoStoreError(error, 'topics');
    }
  }

  async stats(): Promise<StoreStats> {
    const summaries = await this.list();
    const byCategory: Record<string, number> = {};
    const byTopic: Record<string, number> = {};
    let total = 0;
    for (const summary of summaries) {
      byTopic[summary.topic] = summary.count;
      byCategory[summary.category] = (byCategory[summary.category] ?? 0) + summary.count;
      total += summary.count;
    }
    if (summaries.length === 0) return { total, byCategory, byTopic };
    return {
      total,
      byCategory,
      byTopic,
      first: Math.min(...summaries.map((s) => s.firstSeen)),
      last: Math.max(...summaries.map((s) => s.lastSeen)),
    };
  }

  /** Counts newly inserted documents in (one unordered bulk write). */
  async record(inserted: readonly MongoMessageDocument[]): Promise<void> {
    const byTopic = new Map<string, MongoTopicDocument>();
    for (const document of inserted) {
      const summary = byTopic.get(document.topic);
      if (summary === undefined) {
        byTopic.set(document.topic, { _id: document.topic, category: document.category, count: 1, firstSeen: document.time, lastSeen: document.time });
      } else {
        summary.count += 1;
        summary.firstSeen = Math.min(summary.firstSeen, document.time);
        summary.lastSeen = Math.max(summary.lastSeen, document.time);
      }
    }
    try {
      await this.topics.bulkWrite(
        [...byTopic.values()].map((summary) => ({
          updateOne: {
            filter: { _id: summary._id },
            update: {
              $inc: { count: summary.count },
              $min: { firstSeen: summary.firstSeen },
              $max: { lastSeen: summary.lastSeen },
              $setOnInsert: { category: summary.category },
            },
            upsert: true,
          },
        })),
        { ordered: false, writeConcern: { w: 'majority', journal: true } },
      );
    } catch (error) {
      throw toMongoStoreError(error, 'insertMany (topic catalogue)');
    }
  }
}
