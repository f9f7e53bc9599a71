import type { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import type { SqliteTotalCache } from '../cache/sqlite-total-cache.js';
import { readStoreCounter } from '../schema/sqlite-store-counter.js';
import type { SqliteTuning } from '../sqlite-tuning.js';
import type { SqliteTextCandidates } from '../text-index/sqlite-text-candidates.js';
import type { SqlitePlanContext, Window } from './query-plan.js';
import { SqlitePlanStatistics } from './sqlite-plan-statistics.js';

/**
 * Hands out what plans are made from: the archive's statistics for a window, read in the caller's transaction,
 * and the store's tuning. The decisions themselves are pure functions (`planFind`, `planCount`, `planFilters`).
 */
export class SqliteQueryPlanner {
  constructor(
    private readonly statements: SqliteStatementCache,
    private readonly text: SqliteTextCandidates,
    private readonly totals: SqliteTotalCache,
    private readonly tuning: SqliteTuning,
  ) {}

  /** The statistics of `window` (in the caller's transaction) and the tuning. */
  planContext(window: Window): SqlitePlanContext & { readonly statistics: SqlitePlanStatistics } {
    const statistics = new SqlitePlanStatistics({ statements: this.statements, totals: this.totals, text: this.text, tuning: this.tuning }, window);
    return { statistics, tuning: this.tuning };
  }

  /** Rows stored (the maintained counter). */
  messageCount(): number {
    return readStoreCounter(this.statements, 'messages');
  }
}
