import type { Delivery, Envelope, NackOptions } from '@statbus/core';
import type { Channel, ConsumeMessage } from 'amqplib';

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
  settled = false;
  readonly #settler: DeliverySettler;

  constructor(settler: DeliverySettler, channel: Channel, message: ConsumeMessage, envelope: Envelope, deliveryCount: number) {
    this.#settler = settler;
    this.channel = channel;
    this.message = message;
    this.envelope = envelope;
    this.redelivered = message.fields.redelivered;
    this.deliveryCount = deliveryCount;
  }

  /** Acknowledges the message; resolves once the ack is written to the channel. Later calls do nothing. */
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
