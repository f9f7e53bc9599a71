import type { DropReason, TransportCounters } from '../contracts/transport-status.js';

/** The running totals of one transport, updated in place by it; {@link snapshot} copies them out. */
export class TransportCounterSet {
  published = 0;
  received = 0;
  gaps = 0;
  missed = 0;
  reconnects = 0;
  readonly dropped: Record<DropReason, number> = { malformed: 0, 'too-large': 0, invalid: 0, 'topic-mismatch': 0, rejected: 0, overflow: 0 };

  /** What `Transport.counters()` returns: a copy, not a live view. */
  snapshot(): TransportCounters {
    return {
      published: this.published,
      received: this.received,
      dropped: { ...this.dropped },
      gaps: this.gaps,
      missed: this.missed,
      reconnects: this.reconnects,
    };
  }
}
