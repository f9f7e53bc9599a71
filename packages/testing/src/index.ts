export { INVALID_PATTERNS, INVALID_TOPICS, PATTERN_CASES } from './fixtures/pattern-cases.js';
export type { PatternCase } from './fixtures/pattern-cases.js';
export type { TransportCapabilities, TransportHarness } from './transport-contract/transport-harness.js';
export { DEFAULT_WAIT_TIMEOUT_MS, waitFor } from './wait-for.js';
