import { ZEROMQ_DEFAULTS } from '@statbus/core';
import { batchHeader, encodeBatchBytes } from './batch-frames.js';
import type { Frames } from './send-queue.js';
import type { SubscriberPrefixes } from './subscriber-prefixes.js';

/** The part of a `SendQueue` a {@link PublishBatcher} uses. */
export interface BatchQueue {
  send(frames: Frames): Promise<void>;
  readonly pending: number;
}

/** How big a {@link PublishBatcher} lets a batch grow. */
export interface BatchLimits {
  /** Size of the messages in one batch, counted in UTF-16 units of their text (bytes of bytes); one message over it goes alone. */
  readonly maxBytes: number;
  /** Messages in one batch. */
  readonly maxCount: number;
}

/**
 * What becomes of each message's promise, told once per ZeroMQ message sent (one message alone, or a batch of
 * `count`), so that nothing is made per message to count them.
 */
export interface BatchSettlement {
  /** ZeroMQ queued `count` messages. */
  sent(count: number): void;
  /** ZeroMQ refused `count` messages; what it returns resolves their promises, what it throws rejects them. */
  refused(count: number, error: unknown): void;
}

/**
 * Default limits (`[zeromq] batch_max_bytes` / `batch_max_messages`): big enough that the fixed cost of a
 * ZeroMQ message is spread over dozens of typical messages, small enough that a batch stays a small
 * allocation and a high-water mark of batches (see `batchHighWaterMark`) stays a bounded amount of memory.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBytes: ZEROMQ_DEFAULTS.batch_max_bytes, maxCount: ZEROMQ_DEFAULTS.batch_max_messages };

const NO_SETTLEMENT: BatchSettlement = {
  sent: () => undefined,
  refused: (_count, error) => {
    throw error;
  },
};

interface Open {
  readonly head: string;
  readonly audience: string;
  /** Text batches: the header's place (first), then each message's pieces, a newline between messages. */
  readonly text: string[] | undefined;
  /** Byte batches (what the relay passes on): each message's frame. */
  readonly bytes: Buffer[] | undefined;
  /** Size so far, in UTF-16 units of text or bytes (the unit of {@link BatchLimits.maxBytes}), and messages. */
  units: number;
  count: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  readonly promise: Promise<void>;
}

/**
 * A message's single frame: its text as one string or as consecutive pieces (its head, then the envelope's
 * JSON in parts), or its bytes (what the relay passes on).
 */
export type MessageText = string | readonly string[] | Buffer;

/**
 * Adaptive batching in front of a send queue. The first message of an event-loop turn goes at once, alone,
 * when nothing waits before it: a lone message is never held back, by a timer or anything else. Messages
 * that come after it in the same turn wait for the end of the turn (or for a batch to fill) and travel
 * together: one ZeroMQ message for many (see `batch-frames.ts`), so that a burst costs ZeroMQ and the
 * receiver one message per batch instead of one per message. A batch holds only messages of the same audience
 * (see `SubscriberPrefixes`), so ZeroMQ's prefix filtering delivers each message exactly where it would
 * have gone alone; a change of audience closes the batch, so order is kept.
 *
 * A batch of text is joined once, from the pieces of its messages (see `StreamPositions.framePieces`), and
 * ZeroMQ encodes it once: text rather than bytes because zeromq.js sends a string by encoding it into memory
 * that ZeroMQ frees on its own thread, while a buffer over 128 bytes is sent without a copy but held by a
 * reference that the JavaScript thread must release later, which costs the publisher more in garbage
 * collection than the copy. The settlement is told once per batch, so nothing is made per message.
 *
 * Messages that must not travel in a batch (heartbeats, probe answers, other wire formats) go through
 * {@link sendAlone}, behind whatever is batched before them.
 */
export class PublishBatcher {
  readonly #queue: BatchQueue;
  readonly #prefixes: SubscriberPrefixes;
  readonly #limits: BatchLimits;
  readonly #settlement: BatchSettlement;
  #open: Open | undefined;
  /** Messages in the open batch. */
  #waiting = 0;
  /** A message went at once in this turn: the next ones of the turn are batched. */
  #sentThisTurn = false;
  #turnScheduled = false;
  readonly #endOfTurn = (): void => {
    this.#turnScheduled = false;
    this.#sentThisTurn = false;
    this.flush();
  };
  readonly #sentOne = (): void => this.#settlement.sent(1);
  readonly #refusedOne = (error: unknown): void => this.#settlement.refused(1, error);

  constructor(queue: BatchQueue, prefixes: SubscriberPrefixes, limits: BatchLimits = DEFAULT_BATCH_LIMITS, settlement: BatchSettlement = NO_SETTLEMENT) {
    this.#queue = queue;
    this.#prefixes = prefixes;
    this.#limits = limits;
    this.#settlement = settlement;
  }

  /** Messages waiting here or in the queue. */
  get pending(): number {
    return this.#waiting + this.#queue.pending;
  }

  /**
   * Sends the single frame of one message on `topic` (its text, whole or in pieces), alone at once or in a
   * batch. Resolves when the queue took it (alone, or its batch), as the settlement says; rejects with what the
   * settlement threw for the queue's refusal.
   */
  send(topic: string, text: MessageText): Promise<void> {
    if (this.#open === undefined && !this.#sentThisTurn && this.#queue.pending === 0) {
      this.#sentThisTurn = true;
      this.#scheduleEndOfTurn();
      return this.#queue.send(typeof text === 'string' || Buffer.isBuffer(text) ? text : text.join('')).then(this.#sentOne, this.#refusedOne);
    }
    const isBytes = Buffer.isBuffer(text);
    let units = 0;
    if (typeof text === 'string' || isBytes) units = text.length;
    else for (const piece of text) units += piece.length;
    const audience = this.#prefixes.audience(topic);
    let open = this.#open;
    if (open !== undefined && (open.audience !== audience || open.units + units > this.#limits.maxBytes || (open.bytes !== undefined) !== isBytes)) {
      this.flush();
      open = undefined;
    }
    if (open === undefined) {
      open = this.#start(topic, audience, isBytes);
      this.#scheduleEndOfTurn();
    }
    if (isBytes) {
      (open.bytes as Buffer[]).push(text);
    } else {
      const parts = open.text as string[];
      if (open.count > 0) parts.push('\n');
      if (typeof text === 'string') parts.push(text);
      else for (const piece of text) parts.push(piece);
    }
    open.units += units;
    open.count += 1;
    this.#waiting += 1;
    const { promise } = open;
    if (open.count >= this.#limits.maxCount) this.flush();
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
    this.#waiting -= open.count;
    let message: string | Buffer;
    if (open.bytes !== undefined) {
      message = open.count === 1 ? (open.bytes[0] as Buffer) : encodeBatchBytes(open.head, open.bytes);
    } else {
      const parts = open.text as string[];
      if (open.count > 1) parts[0] = `${batchHeader(open.head, open.count)}\n`;
      message = parts.join('');
    }
    const { count, resolve, reject } = open;
    this.#queue.send(message).then(
      () => {
        this.#settlement.sent(count);
        resolve();
      },
      (error: unknown) => {
        try {
          this.#settlement.refused(count, error);
          resolve();
        } catch (refusal) {
          reject(refusal);
        }
      },
    );
  }

  #start(head: string, audience: string, isBytes: boolean): Open {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    const open: Open = { head, audience, text: isBytes ? undefined : [''], bytes: isBytes ? [] : undefined, units: 0, count: 0, resolve, reject, promise };
    this.#open = open;
    return open;
  }

  #scheduleEndOfTurn(): void {
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    setImmediate(this.#endOfTurn);
  }
}
