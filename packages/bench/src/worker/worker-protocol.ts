import type { DetectedLoss, SideSettings } from '../transport/candidate.js';

/** What one producer sends in a measurement. */
export type SendPlan =
  /** `messages` as fast as the candidate accepts them. */
  | { readonly kind: 'burst'; readonly messages: number }
  /** `messages` at `rate` a second, each stamped when sent. */
  | { readonly kind: 'rate'; readonly messages: number; readonly rate: number };

/** CPU time and peak memory of one process, over one measurement. */
export interface ProcessUsage {
  readonly pid: number;
  /** User + system CPU time spent from the start of the measurement (ms). */
  readonly cpuMs: number;
  /** The same, of the main thread alone (Linux): without worker threads such as the SQLite store's index worker. */
  readonly mainThreadCpuMs?: number;
  /** Peak resident set size of the process over its whole life (MiB): `process.resourceUsage().maxRSS`. */
  readonly maxRssMiB: number;
}

/** Coordinator → worker. Every message but `close` names the side (`p0`, `c1`…) it is for. */
export type ToWorker =
  | { readonly type: 'open'; readonly side: string; readonly role: 'producer' | 'consumer'; readonly candidate: string; readonly settings: SideSettings }
  | { readonly type: 'probe'; readonly side: string }
  /** `expected`: deliveries this consumer should get (0 when unknown: a shared queue); it reports progress at once on reaching it. */
  | { readonly type: 'measure'; readonly side: string; readonly sample: boolean; readonly expected: number }
  | { readonly type: 'run'; readonly side: string; readonly plan: SendPlan }
  | { readonly type: 'report'; readonly side: string }
  | { readonly type: 'close' };

/** Worker → coordinator. */
export type FromWorker =
  | { readonly type: 'opened'; readonly side: string }
  /** The first probe this consumer got from `producer` (a key unique per producer). */
  | { readonly type: 'probed'; readonly side: string; readonly producer: string }
  | { readonly type: 'measuring'; readonly side: string }
  | { readonly type: 'progress'; readonly side: string; readonly count: number }
  | { readonly type: 'sent'; readonly side: string; readonly sent: number; readonly startedAt: number; readonly endedAt: number; readonly usage: ProcessUsage }
  | {
      readonly type: 'received';
      readonly side: string;
      readonly received: number;
      readonly lastAt: number;
      readonly samples: readonly number[];
      readonly detected?: DetectedLoss;
      readonly usage: ProcessUsage;
    }
  | { readonly type: 'failed'; readonly side?: string; readonly message: string };
