import type { Delivery, Envelope, NackOptions } from '@statbus/core';

/** How a delivery was settled. */
export type Settlement = { readonly kind: 'ack' } | { readonly kind: 'nack'; readonly requeue: boolean };

const ACK: Settlement = { kind: 'ack' };
// One settled promise for every settlement: nothing is made per message.
const SETTLED = Promise.resolve();

/** What a {@link ZeroMqDelivery} reports its settlement to. */
export interface DeliveryOwner {
  settle(delivery: ZeroMqDelivery, settlement: Settlement): void;
}

/**
 * A delivery of the brokerless transport. Settling tells only the local subscription: `ack` frees a
 * prefetch slot; `nack` with requeue delivers the message again in this process. Only the first
 * settlement counts.
 */
export class ZeroMqDelivery implements Delivery {
  readonly envelope: Envelope;
  readonly deliveryCount: number;
  /**
   * True when the message was lost on the way and fetched again from a replay endpoint (the producer's or
   * the relay's) to fill a gap; it is delivered in its place in the stream's order.
   */
  readonly replayed: boolean;
  readonly #owner: DeliveryOwner;
  #settled = false;

  constructor(envelope: Envelope, deliveryCount: number, owner: DeliveryOwner, replayed = false) {
    this.envelope = envelope;
    this.deliveryCount = deliveryCount;
    this.#owner = owner;
    this.replayed = replayed;
  }

  get redelivered(): boolean {
    return this.deliveryCount > 1;
  }

  /** Resolves at once: there is no broker to tell. */
  ack(): Promise<void> {
    this.#settle(ACK);
    return SETTLED;
  }

  /** Resolves at once; with `requeue` (default) the message is delivered again, up to `max_deliveries` in all. */
  nack(options?: NackOptions): Promise<void> {
    this.#settle({ kind: 'nack', requeue: options?.requeue ?? true });
    return SETTLED;
  }

  #settle(settlement: Settlement): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#owner.settle(this, settlement);
  }
}
