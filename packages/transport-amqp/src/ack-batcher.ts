/** The part of an amqplib channel an {@link AckBatcher} uses. */
export interface AckChannel<M> {
  ack(message: M, allUpTo?: boolean): void;
}

const OUTSTANDING = 0;
const ACK_WAITING = 1;
const DONE = 2;

/** One delivery of the channel, in delivery-tag order. */
export interface AckEntry<M> {
  readonly message: M;
  /** 0: not settled; 1: acked, ack not yet written; 2: settled on the channel. */
  state: number;
}

/**
 * Writes the acks of one consumer channel in batches: the acks given during an event-loop turn are
 * written at the end of it, those of a run of deliveries with nothing unsettled before them as one
 * `multiple` ack (the broker then handles one frame instead of one per message), the others one by one.
 * A `multiple` ack of tag N settles every unsettled delivery up to N on the channel; deliveries are tracked
 * in tag order (the order the channel delivers them) so that it is only sent when every one of them is
 * acked. Nacks and rejects are written by the caller at once and only {@link settled} here.
 */
export class AckBatcher<M> {
  readonly #channel: AckChannel<M>;
  #entries: AckEntry<M>[] = [];
  #head = 0;
  #scheduled = false;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(channel: AckChannel<M>) {
    this.#channel = channel;
  }

  /** Deliveries tracked and not yet written off (settled ones before the first unsettled are dropped at each flush). */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Records a delivery; call in the order the channel delivered them. */
  track(message: M): AckEntry<M> {
    const entry: AckEntry<M> = { message, state: OUTSTANDING };
    this.#entries.push(entry);
    return entry;
  }

  /** The delivery is acked: the ack is written at the end of this event-loop turn (or at {@link flush}). */
  ack(entry: AckEntry<M>): void {
    if (entry.state !== OUTSTANDING) return;
    entry.state = ACK_WAITING;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  /** The delivery was settled on the channel by the caller (nack, reject). */
  settled(entry: AckEntry<M>): void {
    entry.state = DONE;
  }

  /** Writes every waiting ack now. */
  flush(): void {
    const entries = this.#entries;
    let last: AckEntry<M> | undefined;
    let count = 0;
    while (this.#head < entries.length && (entries[this.#head] as AckEntry<M>).state !== OUTSTANDING) {
      const entry = entries[this.#head] as AckEntry<M>;
      this.#head += 1;
      if (entry.state === ACK_WAITING) {
        entry.state = DONE;
        last = entry;
        count += 1;
      }
    }
    if (last !== undefined) this.#channel.ack(last.message, count > 1);
    for (let index = this.#head; index < entries.length; index += 1) {
      const entry = entries[index] as AckEntry<M>;
      if (entry.state !== ACK_WAITING) continue;
      entry.state = DONE;
      this.#channel.ack(entry.message, false);
    }
    if (this.#head === entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
