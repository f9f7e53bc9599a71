import { ZEROMQ_DEFAULTS } from '@statbus/core';
import { encodeBatchBytes, encodeBatchText } from './batch-frames.js';
import type { Frames } from './send-queue.js';
import type { SubscriberPrefixes } from './subscriber-prefixes.js';

/** The part of a `SendQueue` a {@link PublishBatcher} uses. */
export interface BatchQueue {
  send(frames: Frames): Promise<void>;
  readonly pending: number;
}

/** How big a {@link PublishBatcher} lets a batch grow. */
export interface BatchLimits {
  /** Bytes (counted as UTF-16 units for text) of the messages in one batch; one message over it goes alone. */
  readonly maxBytes: number;
  /** Messages in one batch. */
  readonly maxCount: number;
}

/**
 * Default limits (`[zeromq] batch_max_bytes` / `batch_max_messages`): big enough that the fixed cost of a
 * ZeroMQ message is spread over dozens of typical messages, small enough that a batch stays a small
 * allocation and a high-water mark of batches (see `batchHighWaterMark`) stays a bounded amount of memory.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBytes: ZEROMQ_DEFAULTS.batch_max_bytes, maxCount: ZEROMQ_DEFAULTS.batch_max_messages };

interface Open {
  readonly frames: (string | Buffer)[];
  readonly head: string;
  readonly audience: string;
  readonly text: boolean;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  readonly promise: Promise<void>;
}

/**
 * Adaptive batching in front of a send queue. The first message of an event-loop turn goes at once, alone,
 * when nothing waits before it: a lone message is never held back, by a timer or anything else. Messages
 * that come after it in the same turn wait for the end of the turn (or for a batch to fill) and travel
 * together: one ZeroMQ message for many (see `batch-frames.ts`), so that a burst costs ZeroMQ and the
 * receiver one message per batch instead of one per message. A batch holds only messages of the same audience
 * (see `SubscriberPrefixes`), so ZeroMQ's prefix filtering delivers each message exactly where it would
 * have gone alone; a change of audience closes the batch, so order is kept.
 *
 * Messages that must not travel in a batch (heartbeats, probe answers, other wire formats) go through
 * {@link sendAlone}, behind whatever is batched before them.
 */
export class PublishBatcher {
  readonly #queue: BatchQueue;
  readonly #prefixes: SubscriberPrefixes;
  readonly #limits: BatchLimits;
  #open: Open | undefined;
  /** Messages in closed batches not yet handed to the queue, and in the open one. */
  #waiting = 0;
  /** A message went at once in this turn: the next ones of the turn are batched. */
  #sentThisTurn = false;
  #turnScheduled = false;
  readonly #endOfTurn = (): void => {
    this.#turnScheduled = false;
    this.#sentThisTurn = false;
    this.flush();
  };

  constructor(queue: BatchQueue, prefixes: SubscriberPrefixes, limits: BatchLimits = DEFAULT_BATCH_LIMITS) {
    this.#queue = queue;
    this.#prefixes = prefixes;
    this.#limits = limits;
  }

  /** Messages waiting here or in the queue. */
  get pending(): number {
    return this.#waiting + this.#queue.pending;
  }

  /**
   * Sends the single frame of one message on `topic`, alone at once or in a batch. Resolves when the
   * queue took it (alone, or its batch); rejects with what the queue rejected it (or its batch) with.
   */
  send(topic: string, frame: string | Buffer): Promise<void> {
    if (this.#open === undefined && !this.#sentThisTurn && this.#queue.pending === 0) {
      this.#sentThisTurn = true;
      this.#scheduleEndOfTurn();
      return this.#queue.send(frame);
    }
    const audience = this.#prefixes.audience(topic);
    let open = this.#open;
    if (open !== undefined && (open.audience !== audience || open.bytes + frame.length > this.#limits.maxBytes || open.text !== (typeof frame === 'string'))) {
      this.flush();
      open = undefined;
    }
    if (open === undefined) {
      open = this.#start(topic, audience, typeof frame === 'string');
      this.#scheduleEndOfTurn();
    }
    open.frames.push(frame);
    open.bytes += frame.length;
    this.#waiting += 1;
    const { promise } = open;
    if (open.frames.length >= this.#limits.maxCount) this.flush();
    return promise;
  }

  /** Sends `frames` as one ZeroMQ message of its own, after what is batched before it. */
  sendAlone(frames: Frames): Promise<void> {
    this.flush();
    return this.#queue.send(frames);
  }

  /** Hands the open batch (if any) to the queue now. */
  flush(): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    this.#waiting -= open.frames.length;
    let message: Frames;
    if (open.frames.length === 1) message = open.frames[0] as string | Buffer;
    else message = open.text ? encodeBatchText(open.head, open.frames as string[]) : encodeBatchBytes(open.head, open.frames);
    this.#queue.send(message).then(open.resolve, open.reject);
  }

  #start(head: string, audience: string, text: boolean): Open {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    const open: Open = { frames: [], head, audience, text, bytes: 0, resolve, reject, promise };
    this.#open = open;
    return open;
  }

  #scheduleEndOfTurn(): void {
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    setImmediate(this.#endOfTurn);
  }
}
