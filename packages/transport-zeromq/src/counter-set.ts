import type { DropReason, TransportCounters } from '@statbus/core';

/** The running totals of a transport, updated in place; {@link snapshot} copies them. */
export class CounterSet {
  published = 0;
  received = 0;
  gaps = 0;
  missed = 0;
  reconnects = 0;
  readonly dropped: Record<DropReason, number> = { malformed: 0, 'too-large': 0, invalid: 0, rejected: 0, overflow: 0 };

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
