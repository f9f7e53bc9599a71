import { StoreError, retentionSelections, supportsMaintenance, type Logger, type MessageStore, type RetentionConfig, type RetentionSelection } from '@statbus/core';

/** What one application of the retention rules removed, per rule and in all. */
export interface RetentionReport {
  readonly deleted: number;
  readonly rules: readonly { readonly selection: RetentionSelection; readonly deleted: number; readonly batches: number }[];
}

/**
 * Applies the retention rules once, at `now` (ms): each rule's old messages are removed in batches of
 * `config.batch_size`, and each rule that removed something is logged with its count.
 *
 * @throws {StoreError} when the store cannot be written; a store that cannot remove messages throws a `StoreError` too.
 */
export async function applyRetention(store: MessageStore, config: RetentionConfig, options: { readonly now?: number; readonly logger?: Logger; readonly signal?: AbortSignal } = {}): Promise<RetentionReport> {
  const selections = retentionSelections(config, options.now ?? Date.now());
  if (selections.length === 0) return { deleted: 0, rules: [] };
  if (!supportsMaintenance(store)) {
    throw new StoreError('this store cannot remove messages: retention rules need a store that can (the SQLite and MongoDB stores can)', { retryable: false });
  }
  const rules: RetentionReport['rules'][number][] = [];
  for (const selection of selections) {
    const result = await store.prune(selection, { batchSize: config.batch_size, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    rules.push({ selection, ...result });
    if (result.deleted > 0) options.logger?.info({ before: new Date(selection.before).toISOString(), topics: selection.topics, categories: selection.categories, deleted: result.deleted, batches: result.batches }, 'retention: old messages removed');
  }
  return { deleted: rules.reduce((sum, rule) => sum + rule.deleted, 0), rules };
}
