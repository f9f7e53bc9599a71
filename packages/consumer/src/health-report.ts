import type { TransportCounters } from '@statbus/core';
import type { ConsumerCounters } from './consumer-counters.js';
import type { HubState } from './readiness.js';

/** One consumer group as the health endpoints show it. */
export interface GroupReport {
  readonly name: string;
  readonly patterns: readonly string[];
  readonly handlers: readonly string[];
  readonly concurrency: number;
  readonly inFlight: number;
}

/** Everything `/live` and `/ready` answer with. */
export interface HealthReport {
  /** The hub has not stopped: restarting the process would not help. */
  readonly live: boolean;
  /** Running, connected, and the watchdog is content. */
  readonly ready: boolean;
  /** Why it is not ready (empty when ready). */
  readonly reasons: readonly string[];
  readonly state: HubState;
  readonly connected: boolean;
  readonly counters: ConsumerCounters;
  readonly groups: readonly GroupReport[];
  readonly transport: TransportCounters;
}
