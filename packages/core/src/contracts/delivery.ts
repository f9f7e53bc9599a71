import type { Envelope } from '../envelope/envelope.js';

/** Options of {@link Delivery.nack}. */
export interface NackOptions {
  /**
   * `true` (default): deliver the message again later. `false`: reject it for good — it goes to the
   * dead-letter path where the transport has one, otherwise it is dropped and counted as `rejected`.
   */
  readonly requeue?: boolean;
}

/**
 * One received message and the means to settle it. Settle exactly once; later calls are ignored, and so is
 * settling after the connection it came on was lost (the broker has then put the message back).
 */
export interface Delivery {
  readonly envelope: Envelope;
  /** True when this message was delivered before and not acknowledged. */
  readonly redelivered: boolean;
  /** How many times it was delivered, this time included (1 for the first time), where the transport knows. */
  readonly deliveryCount: number;
  /**
   * Acknowledges the message. Resolves when the transport has taken the ack (AMQP: at once; the ack is
   * written to the channel at the end of the event-loop turn, batched with the other acks of that turn).
   */
  ack(): Promise<void>;
  /** Refuses the message; see {@link NackOptions}. */
  nack(options?: NackOptions): Promise<void>;
}
