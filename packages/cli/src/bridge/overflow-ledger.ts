import type { Envelope } from '@statbus/core';

/** Messages of one producer instance lost to a full buffer: how many, and the range of their `seq`. */
export interface LostRange {
  readonly producer: string;
  readonly instance: string;
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/**
 * Keeps, per producer instance, the messages dropped since the last report, so that an overflow is logged
 * as one line per producer with its seq range instead of one line per message.
 */
export class OverflowLedger {
  readonly #ranges = new Map<string, { producer: string; instance: string; from: number; to: number; count: number }>();
  #total = 0;

  /** Messages dropped in all. */
  get total(): number {
    return this.#total;
  }

  /** Whether something was dropped since the last {@link take}. */
  get open(): boolean {
    return this.#ranges.size > 0;
  }

  drop(envelope: Envelope): void {
    this.#total += 1;
    const { name, instance } = envelope.producer;
    const range = this.#ranges.get(instance);
    if (range === undefined) {
      this.#ranges.set(instance, { producer: name, instance, from: envelope.seq, to: envelope.seq, count: 1 });
      return;
    }
    range.from = Math.min(range.from, envelope.seq);
    range.to = Math.max(range.to, envelope.seq);
    range.count += 1;
  }

  /** The ranges dropped since the last call, and forgets them. */
  take(): LostRange[] {
    const ranges = [...this.#ranges.values()];
    this.#ranges.clear();
    return ranges;
  }
}
