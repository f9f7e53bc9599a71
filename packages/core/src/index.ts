export { AsyncQueue } from './async/async-queue.js';
export { Broadcaster } from './async/broadcaster.js';
export { canonicalJson, signingBytes } from './codec/canonical-json.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  assertMessageSize,
  decodeEnvelope,
  encodeEnvelope,
  envelopeJson,
  envelopeJsonParts,
} from './codec/envelope-codec.js';
export type { CodecOptions } from './codec/envelope-codec.js';
export { AMQP_DEFAULTS } from './config/amqp-config.js';
export type { AmqpConfig } from './config/amqp-config.js';
export { configSchema } from './config/config-schema.js';
export type { StatbusConfig, StatbusConfigInput } from './config/config-schema.js';
export { loadConfig } from './config/load-config.js';
export type { LoadConfigOptions, LoadedConfig } from './config/load-config.js';
export { redactConfig, redactUrl } from './config/redact-config.js';
export type { ZeroMqConfig, ZeroMqCurveConfig } from './config/zeromq-config.js';
export { ZEROMQ_DEFAULTS } from './config/zeromq-config.js';
export { DEFAULT_ROWS_PER_PAGE, MAX_ROWS_PER_PAGE } from './contracts/message-query.js';
export { MAX_CHANGES_LIMIT } from './contracts/message-store.js';
export type { MessageQuery } from './contracts/message-query.js';
export type {
  ArchiveChange,
  ArchivedMessage,
  ChangeBatch,
  ChangesOptions,
  CountResult,
  InsertedChanges,
  InsertResult,
  MessagePage,
  MessageStore,
  StoreStats,
  TopicCatalogueQuery,
  TopicSummary,
} from './contracts/message-store.js';
export { findsStoredJson } from './contracts/stored-json.js';
export type { StoredJsonFinder, StoredJsonPage, StoredMessageJson } from './contracts/stored-json.js';
export type { BusEvent, BusEventRecorder } from './contracts/bus-event.js';
export { hasRollups, maxCellWins } from './contracts/rollup-store.js';
export type {
  RollupAdvance,
  RollupCell,
  RollupMessageStore,
  RollupOp,
  RollupPosition,
  RollupPage,
  RollupPageRange,
  RollupRange,
  RollupRow,
  RollupStore,
  SeriesCount,
} from './contracts/rollup-store.js';
export { REDACTED, supportsMaintenance } from './contracts/archive-maintenance.js';
export type { ArchiveMaintenance, CorrectedPlugin, MaintenanceOptions, PruneResult, RedactionPath, RetentionSelection, RollupCorrection } from './contracts/archive-maintenance.js';
export type { Delivery, NackOptions } from './contracts/delivery.js';
export type { DeliveryHandler, SubscribeOptions, Subscription } from './contracts/subscription.js';
export type { Transport } from './contracts/transport.js';
export type { DropReason, TransportCounters, TransportStatus } from './contracts/transport-status.js';
export { BUS_EVENT_RECORDER, CONFIG, LOGGER, MESSAGE_STORE, TRANSPORT } from './di/tokens.js';
export { createEnvelope } from './envelope/create-envelope.js';
export { isBuiltEnvelope, isParsedEnvelope } from './envelope/fast-envelope-check.js';
export type { EnvelopeInit } from './envelope/create-envelope.js';
export {
  HEADER_AGENT,
  HEADER_PACKAGES,
  HEADER_REPLAYED,
  HEADER_SCHEMA,
  HEADER_SEVERITY,
  HEADER_USERNAMES,
} from './envelope/envelope.js';
export type { Envelope, JsonObject, JsonValue, ProducerIdentity } from './envelope/envelope.js';
export { newMessageId } from './envelope/message-id.js';
export { MAX_BODY_DEPTH, jsonTextDepthExceeds } from './envelope/json-depth.js';
export { checkEnvelope, validateEnvelope } from './envelope/validate-envelope.js';
export type { EnvelopeCheck } from './envelope/validate-envelope.js';
export { CodecError } from './errors/codec-error.js';
export { ConfigError } from './errors/config-error.js';
export type { ConfigIssue } from './errors/config-error.js';
export { EnvelopeError } from './errors/envelope-error.js';
export type { EnvelopeIssue } from './errors/envelope-error.js';
export { QueryError } from './errors/query-error.js';
export { StatbusError } from './errors/statbus-error.js';
export type { StatbusErrorCode } from './errors/statbus-error.js';
export { StoreError } from './errors/store-error.js';
export { TopicError } from './errors/topic-error.js';
export { TopicMismatchError } from './errors/topic-mismatch-error.js';
export { TransportError } from './errors/transport-error.js';
export { silentLogger } from './log/logger.js';
export type { LogFn, Logger } from './log/logger.js';
export { dropReasonOf } from './transport/drop-reason-of.js';
export { TransportCounterSet } from './transport/transport-counter-set.js';
export { archiveMessage, selectExtractor } from './query/archive-message.js';
export type { ArchiveMessageOptions, ExtractorSelector, MessageExtractor } from './query/archive-message.js';
export { queryWindow, validateMessageQuery } from './query/validate-message-query.js';
export {
  buildTopic,
  isValidTopic,
  parseTopic,
  resolveTopic,
  topicCategory,
  validateTopic,
} from './topic/topic-grammar.js';
export type { TopicNamespace, TopicParts } from './topic/topic-grammar.js';
export { compilePattern, compilePatterns, literalPrefix, matchTopic, validatePattern } from './topic/topic-pattern.js';
export type { TopicMatcher } from './topic/topic-pattern.js';
export type { SigningConfig } from './config/signing-config.js';
export { generateKeyPair } from './signing/generate-key-pair.js';
export type { GeneratedKeyPair } from './signing/generate-key-pair.js';
export { RoutingPolicy } from './signing/routing-policy.js';
export type { RoutingDecision } from './signing/routing-policy.js';
export { Signer } from './signing/signer.js';
export { SigningKeyError } from './signing/signing-key-error.js';
export type { Verification, VerificationOutcome } from './signing/verification.js';
export { Verifier } from './signing/verifier.js';
export type { VerifierOptions } from './signing/verifier.js';
export { RETENTION_DEFAULTS, retentionSelections } from './config/retention-config.js';
export type { RetentionConfig } from './config/retention-config.js';
export { MIN_ADMIN_TOKEN_LENGTH, QUERY_DEFAULTS } from './config/query-config.js';
export type { QueryConfig } from './config/query-config.js';
export { SEVERITIES } from './schema/header-hints.js';
export type { HeaderExtractor, HeaderHints, Severity } from './schema/header-hints.js';
export { SchemaDefinitionError } from './schema/schema-definition-error.js';
export { SchemaRegistry } from './schema/schema-registry.js';
export type { JsonSchema, RegisteredSchema, SchemaCheck, SchemaOptions } from './schema/schema-registry.js';
export { SchemaValidationError } from './schema/schema-validation-error.js';
export type { SchemaIssue } from './schema/schema-validation-error.js';
export { METRICS_DEFAULTS, parseDurationMs, parseIntervalMs } from './config/metrics-config.js';
