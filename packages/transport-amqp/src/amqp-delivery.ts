import type { Delivery, Envelope, NackOptions } from '@statbus/core';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AckEntry } from './ack-batcher.js';

/** How a delivery was settled. */
export type Settlement = { readonly kind: 'ack' } | { readonly kind: 'nack'; readonly requeue: boolean };

/** Who settles a delivery on the broker: its subscription. */
export interface DeliverySettler {
  settle(delivery: AmqpDelivery, settlement: Settlement): void;
}

const ACK: Settlement = { kind: 'ack' };
const REQUEUE: Settlement = { kind: 'nack', requeue: true };
const REJECT: Settlement = { kind: 'nack', requeue: false };

/**
 * One message taken from a queue, tied to the channel it came on: settling it after that channel was
 * lost does nothing (the broker has already put the message back).
 */
export class AmqpDelivery implements Delivery {
  readonly envelope: Envelope;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
  readonly channel: Channel;
  readonly message: ConsumeMessage;
  /** Where the channel's ack batcher keeps this delivery. */
  readonly acking: AckEntry<ConsumeMessage>;
  settled = false;
  readonly #settler: DeliverySettler;

  constructor(settler: DeliverySettler, channel: Channel, message: ConsumeMessage, envelope: Envelope, deliveryCount: number, acking: AckEntry<ConsumeMessage>) {
    this.#settler = settler;
    this.acking = acking;
    this.channel = channel;
    this.message = message;
    this.envelope = envelope;
    this.redelivered = message.fields.redelivered;
    this.deliveryCount = deliveryCount;
  }

  /**
   * Acknowledges the message; resolves at once. The ack is written to the channel at the end of this
   * event-loop turn, with the other acks of the turn (one `multiple` ack for a run of acked deliveries).
   * Later calls do nothing.
   */
  ack(): Promise<void> {
    this.#settler.settle(this, ACK);
    return Promise.resolve();
  }

  /**
   * Refuses the message: with `requeue` (default) it is delivered again, unless it reached
   * `max_deliveries`; without, it goes to the dead-letter queue (named queues) or is dropped and counted.
   */
  nack(options?: NackOptions): Promise<void> {
    this.#settler.settle(this, options?.requeue === false ? REJECT : REQUEUE);
    return Promise.resolve();
  }
}
