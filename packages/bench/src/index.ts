export { summarise, quantile } from './stats.js';
export type { LatencySummary } from './stats.js';
export { measureLatency, measureThroughput } from './transport/run-candidate.js';
export type { CandidateResult } from './transport/run-candidate.js';
export type { BenchCandidate, BenchPair } from './transport/scenario.js';
