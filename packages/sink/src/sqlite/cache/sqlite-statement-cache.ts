import type Database from 'better-sqlite3';
import { SQLITE_TUNING_DEFAULTS } from '../sqlite-tuning.js';

/** Prepared statements by SQL text: preparing costs more than running most indexed queries. */
export class SqliteStatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly capacity = SQLITE_TUNING_DEFAULTS.statementCacheSize,
  ) {}

  get(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= this.capacity) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
