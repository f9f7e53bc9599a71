import type { StreamPosition } from './wire-frames.js';

/** Messages of one producer that never arrived. */
export interface SeqHole {
  /** Envelope `seq` range the lost messages lie in (inclusive). */
  readonly from: number;
  readonly to: number;
  /** How many were lost (exact). */
  readonly missed: number;
}

/** Streams remembered before the least recently started ones are forgotten. */
export const DEFAULT_MAX_TRACKED_STREAMS = 100_000;

interface Last {
  n: number;
  seq: number;
}

/**
 * Finds lost messages. The first message seen on a stream sets its baseline, so joining mid-stream
 * reports nothing. A counter that goes back (a restarted publisher, a duplicate) sets a new baseline.
 *
 * - {@link observeStream}: statbus publishers number each topic's messages; a hole is a loss.
 * - {@link observeInstance}: for producers that send no stream frame, holes in the envelope `seq` of a
 *   producer instance; only meaningful when the subscriber receives every topic.
 */
export class GapTracker {
  /** Per publisher, per topic: one map per publisher, so that no key is built per message. */
  readonly #streams = new Map<string, Map<string, Last>>();
  #streamCount = 0;
  readonly #instances = new Map<string, Last>();
  readonly #max: number;

  constructor(maxTracked: number = DEFAULT_MAX_TRACKED_STREAMS) {
    this.#max = maxTracked;
  }

  /** How many streams and instances are remembered. */
  get size(): number {
    return this.#streamCount + this.#instances.size;
  }

  observeStream(topic: string, position: StreamPosition): SeqHole | undefined {
    let streams = this.#streams.get(position.publisher);
    const last = streams?.get(topic);
    if (last !== undefined) return advance(last, position.n, position.seq, position.prevSeq);
    if (this.#streamCount >= this.#max) this.#forgetOldestStream();
    if (streams === undefined || !this.#streams.has(position.publisher)) {
      streams ??= new Map();
      this.#streams.set(position.publisher, streams);
    }
    streams.set(topic, { n: position.n, seq: position.seq });
    this.#streamCount += 1;
    return undefined;
  }

  observeInstance(instance: string, seq: number): SeqHole | undefined {
    const last = this.#instances.get(instance);
    if (last !== undefined) return advance(last, seq, seq, seq - 1);
    if (this.#instances.size >= this.#max) {
      const oldest = this.#instances.keys().next();
      if (oldest.done !== true) this.#instances.delete(oldest.value);
    }
    this.#instances.set(instance, { n: seq, seq });
    return undefined;
  }

  /** Forgets the first stream of the publisher seen first. */
  #forgetOldestStream(): void {
    const oldest = this.#streams.entries().next();
    if (oldest.done === true) return;
    const [publisher, streams] = oldest.value;
    const first = streams.keys().next();
    if (first.done !== true) {
      streams.delete(first.value);
      this.#streamCount -= 1;
    }
    if (streams.size === 0) this.#streams.delete(publisher);
  }
}

function advance(last: Last, n: number, seq: number, prevSeq: number): SeqHole | undefined {
  const expected = last.n + 1;
  const from = last.seq + 1;
  last.n = n;
  last.seq = seq;
  if (n <= expected) return undefined;
  return { from, to: Math.max(prevSeq, from), missed: n - expected };
}
