import type { DropReason, TransportCounters } from '@statbus/core';

/** The running totals of one transport, mutated in place; {@link snapshot} copies them out. */
export class MutableCounters {
  published = 0;
  received = 0;
  reconnects = 0;
  readonly dropped: Record<DropReason, number> = { malformed: 0, 'too-large': 0, invalid: 0, rejected: 0, overflow: 0 };

  snapshot(): TransportCounters {
    return {
      published: this.published,
      received: this.received,
      dropped: { ...this.dropped },
      gaps: 0,
      missed: 0,
      reconnects: this.reconnects,
    };
  }
}
