export { DATANOMMER_SCHEMA_SQL } from './fixtures/datanommer-schema.js';
export { createScratchDatabase, postgresAnswers } from './fixtures/scratch-database.js';
export type { ScratchDatabase, ScratchDatabaseOptions } from './fixtures/scratch-database.js';
export { FEDORA_TOPICS, FEDORA_TOPIC_HEAD, FEDORA_TOPIC_SUFFIXES } from './fixtures/fedora-topics.js';
export { INVALID_PATTERNS, INVALID_TOPICS, PATTERN_CASES } from './fixtures/pattern-cases.js';
export type { PatternCase } from './fixtures/pattern-cases.js';
export type { TransportCapabilities, TransportHarness } from './transport-contract/transport-harness.js';
export { freePort } from './net/free-port.js';
export { tcpAnswers } from './net/tcp-answers.js';
export { startTcpProxy } from './net/tcp-proxy.js';
export type { TcpProxy } from './net/tcp-proxy.js';
export { waitFor } from './wait-for.js';
export { MemoryBus } from './memory/memory-bus.js';
export { MemoryTransport } from './memory/memory-transport.js';
export type { MemoryTransportOptions } from './memory/memory-transport.js';
export {
  CONTRACT_PREFIX,
  collect,
  envelopeFactory,
  received,
  recordStatus,
} from './transport-contract/contract-helpers.js';
export type { Collector } from './transport-contract/contract-helpers.js';
export { describeTransportContract } from './transport-contract/describe-transport-contract.js';
export { describeStoreContract } from './store-contract/describe-store-contract.js';
export type { StoreFactory } from './store-contract/describe-store-contract.js';
export { describeMaintenanceContract } from './store-contract/describe-maintenance-contract.js';
export { referenceFind, referenceMatches, referencePage } from './store-contract/reference-find.js';
export { FIXTURE_PREFIX, FIXTURE_START, makeStoreFixture } from './store-contract/store-fixture.js';
export type { StoreFixture, StoreFixtureOptions } from './store-contract/store-fixture.js';
export { storeQueryCases } from './store-contract/store-query-cases.js';
export type { StoreQueryCase } from './store-contract/store-query-cases.js';
