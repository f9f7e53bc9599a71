import type { BeatPosition, StreamPosition } from './wire-frames.js';

/** Messages of one producer that never arrived. */
export interface SeqHole {
  /** Envelope `seq` range the lost messages lie in (inclusive). */
  readonly from: number;
  readonly to: number;
  /** How many were lost (exact). */
  readonly missed: number;
  /** Stream positions of the lost messages (inclusive), when they were numbered by a stream (not by `seq` alone). */
  readonly positions?: { readonly from: number; readonly to: number };
}

/** Streams remembered before the least recently started ones are forgotten. */
export const DEFAULT_MAX_TRACKED_STREAMS = 100_000;

/** A {@link SeqHole} found by a heartbeat, with who sent the last message seen of that stream (if any was). */
export interface BeatHole extends SeqHole {
  readonly producer: string | undefined;
  readonly instance: string | undefined;
}

interface Last {
  n: number;
  seq: number;
  producer?: string | undefined;
  instance?: string | undefined;
}

/**
 * Finds lost messages. The first message seen on a stream sets its baseline, so joining mid-stream
 * reports nothing. A counter that goes back (a restarted publisher, a duplicate) sets a new baseline.
 *
 * - {@link observeStream}: statbus publishers number each topic's messages; a hole is a loss.
 * - {@link observeBeat}: a heartbeat gives the last position sent on a stream; one beyond the last seen
 *   means the stream's tail was lost. A heartbeat seen first sets the baseline like a message.
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

  /** A message at `position` on `topic`, sent by `producer` / `instance` when its envelope was readable. */
  observeStream(topic: string, position: StreamPosition, producer?: string, instance?: string): SeqHole | undefined {
    const last = this.#streams.get(position.publisher)?.get(topic);
    if (last === undefined) {
      this.#remember(topic, position.publisher, { n: position.n, seq: position.seq, producer, instance });
      return undefined;
    }
    if (producer !== undefined) {
      last.producer = producer;
      last.instance = instance;
    }
    return advance(last, position.n, position.seq, position.prevSeq, true);
  }

  /**
   * A heartbeat on `topic`: a position beyond the last seen reports the messages in between (the last
   * one included) and becomes the last seen; one not beyond it says nothing.
   */
  observeBeat(topic: string, beat: BeatPosition): BeatHole | undefined {
    const last = this.#streams.get(beat.publisher)?.get(topic);
    if (last === undefined) {
      this.#remember(topic, beat.publisher, { n: beat.n, seq: beat.seq });
      return undefined;
    }
    if (beat.n <= last.n) return undefined;
    const from = last.seq + 1;
    const missed = beat.n - last.n;
    const positions = { from: last.n + 1, to: beat.n };
    last.n = beat.n;
    last.seq = beat.seq;
    return { from, to: Math.max(beat.seq, from), missed, positions, producer: last.producer, instance: last.instance };
  }

  #remember(topic: string, publisher: string, last: Last): void {
    if (this.#streamCount >= this.#max) this.#forgetOldestStream();
    let streams = this.#streams.get(publisher);
    if (streams === undefined) {
      streams = new Map();
      this.#streams.set(publisher, streams);
    }
    streams.set(topic, last);
    this.#streamCount += 1;
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

function advance(last: Last, n: number, seq: number, prevSeq: number, numbered = false): SeqHole | undefined {
  const expected = last.n + 1;
  const from = last.seq + 1;
  last.n = n;
  last.seq = seq;
  if (n <= expected) return undefined;
  const hole = { from, to: Math.max(prevSeq, from), missed: n - expected };
  return numbered ? { ...hole, positions: { from: expected, to: n - 1 } } : hole;
}
