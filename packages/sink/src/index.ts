export { Archiver } from './archiver/archiver.js';
export type { ArchiverConfig, ArchiverCounters } from './archiver/archiver.js';
export { ARCHIVE_REFUSALS, ArchiveGuard, foreignFormatOf } from './archiver/archive-guard.js';
export type { ArchiveCheck, ArchiveRefusal } from './archiver/archive-guard.js';
export { ArchiverHealth, DEFAULT_ARCHIVER_STALL_MS } from './archiver/archiver-health.js';
export type { ArchiverHealthOptions, ArchiverHealthReport } from './archiver/archiver-health.js';
export {
  ARCHIVER_OPTIONS,
  DEFAULT_ARCHIVER_BATCH_SIZE,
  DEFAULT_ARCHIVER_MAX_WAIT_MS,
  DEFAULT_ARCHIVER_QUEUE,
  DEFAULT_ARCHIVER_RETRY_INITIAL_MS,
  DEFAULT_ARCHIVER_RETRY_MAX_MS,
} from './archiver/archiver-options.js';
export type { ArchiverOptions } from './archiver/archiver-options.js';
export { createMessageStore } from './create-message-store.js';
export { fromMongoDocument, toMongoDocument } from './mongo/mongo-document.js';
export type { MongoMessageDocument } from './mongo/mongo-document.js';
export { MongoMessageStore } from './mongo/mongo-message-store.js';
export type { MongoTopicDocument } from './mongo/mongo-catalogue.js';
export type { MongoStoreOptions } from './mongo/mongo-message-store.js';
export { APPLIED_BATCHES_KEPT, rollupCellId, rollupCellWrite, rollupRangeFilter, seriesPipeline, topRollupsPipeline } from './mongo/mongo-rollup-documents.js';
export type { MongoRollupDocument, MongoRollupWrite } from './mongo/mongo-rollup-documents.js';
export { BATCH_LEASE_MS, MongoRollups } from './mongo/mongo-rollups.js';
export { toMongoFilter } from './mongo/to-mongo-filter.js';
export type { MongoFilter, MongoQueryPlan } from './mongo/to-mongo-filter.js';
export { topicPatternRegex } from './mongo/topic-pattern-regex.js';
export { decodeCursor, encodeCursor, queryFingerprint } from './query/keyset-cursor.js';
export type { KeysetPosition } from './query/keyset-cursor.js';
export { searchableText } from './query/message-text.js';
export { sinkModule } from './sink-module.js';
export { SqliteMessageStore } from './sqlite/sqlite-message-store.js';
export { SqliteRollups } from './sqlite/sqlite-rollups.js';
export type { SqliteStoreOptions, SqliteSynchronous } from './sqlite/sqlite-store-options.js';
export { SQLITE_MIGRATIONS, runSqliteMigrations } from './sqlite/sqlite-migrations.js';
export type { SqliteMigration } from './sqlite/sqlite-migrations.js';
export { applyRetention } from './retention/apply-retention.js';
export type { RetentionReport } from './retention/apply-retention.js';
export { RetentionRunner } from './retention/retention-runner.js';
export { HEADER_SOURCE_NAME, HEADER_SOURCE_VERSION, detectShape, exportRecord, importRecord } from './import/import-record.js';
export type { ImportRecordOptions, ImportedRecord, RecordShape } from './import/import-record.js';
export { DEFAULT_DATANOMMER_BATCH, readDatanommer } from './import/datanommer-reader.js';
export type { DatanommerReadOptions } from './import/datanommer-reader.js';
export { importInputRecords, importRecords } from './import/import-records.js';
export type { ImportOptions, ImportSummary } from './import/import-records.js';
export { readRecords } from './import/read-records.js';
export type { InputRecord } from './import/read-records.js';
