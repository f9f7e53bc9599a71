import type { Delivery } from './delivery.js';

/** A function that handles one delivery; see {@link SubscribeOptions.handler}. */
export type DeliveryHandler = (delivery: Delivery) => void | Promise<void>;

/** How to subscribe. */
export interface SubscribeOptions {
  /**
   * A named, durable queue shared by every subscriber that gives the same name: each message goes to
   * one of them (competing consumers; how an archiver scales out). Without it, this subscriber gets
   * its own copy of every matching message. Brokerless transports have no shared queues: there every
   * subscriber gets every message and the name only labels the subscription.
   */
  readonly queue?: string;
  /** Most deliveries handed out and not yet settled; default from config. */
  readonly prefetch?: number;
  /**
   * When given, the subscription calls it for each delivery instead of being iterated: ack after it
   * resolves, nack (requeue) when it throws. Without it, iterate the subscription and settle each delivery.
   */
  readonly handler?: DeliveryHandler;
}

/**
 * A live subscription: an async iterable of deliveries matching its patterns, in the order each producer
 * sent them. Iterate it once (or pass a handler).
 */
export interface Subscription extends AsyncIterable<Delivery> {
  readonly patterns: readonly string[];
  /**
   * Stops taking new messages, lets the deliveries already handed out be settled, and ends iteration.
   * Messages received but not yet handed out go back to the bus where it keeps them (a queue), and are
   * dropped otherwise (brokerless). Idempotent; resolves when the subscription is gone.
   */
  close(): Promise<void>;
  /** Resolves when the subscription has ended, whichever way. */
  readonly closed: Promise<void>;
}
