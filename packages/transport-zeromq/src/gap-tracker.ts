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
  readonly #streams = new Map<string, Last>();
  readonly #instances = new Map<string, Last>();
  readonly #max: number;

  constructor(maxTracked: number = DEFAULT_MAX_TRACKED_STREAMS) {
    this.#max = maxTracked;
  }

  /** How many streams and instances are remembered. */
  get size(): number {
    return this.#streams.size + this.#instances.size;
  }

  observeStream(topic: string, position: StreamPosition): SeqHole | undefined {
    const key = `${position.publisher}\u0000${topic}`;
    return this.#observe(this.#streams, key, position.n, position.seq, position.prevSeq);
  }

  observeInstance(instance: string, seq: number): SeqHole | undefined {
    return this.#observe(this.#instances, instance, seq, seq, seq - 1);
  }

  #observe(map: Map<string, Last>, key: string, n: number, seq: number, prevSeq: number): SeqHole | undefined {
    const last = map.get(key);
    if (last === undefined) {
      if (map.size >= this.#max) {
        const oldest = map.keys().next();
        if (oldest.done !== true) map.delete(oldest.value);
      }
      map.set(key, { n, seq });
      return undefined;
    }
    const expected = last.n + 1;
    const from = last.seq + 1;
    last.n = n;
    last.seq = seq;
    if (n <= expected) return undefined;
    return { from, to: Math.max(prevSeq, from), missed: n - expected };
  }
}
