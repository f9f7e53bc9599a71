import type { Delivery, Subscription, TransportStatus } from '@statbus/core';

/** What a background reader of a subscription has seen so far. */
export interface Collected {
  readonly deliveries: Delivery[];
  readonly done: Promise<void>;
}

/** Iterates `subscription` in the background, settling each delivery with `settle` (ack by default). */
export function collect(subscription: Subscription, settle: (delivery: Delivery) => Promise<void> = (delivery) => delivery.ack()): Collected {
  const deliveries: Delivery[] = [];
  const done = (async () => {
    for await (const delivery of subscription) {
      deliveries.push(delivery);
      await settle(delivery);
    }
  })();
  return { deliveries, done };
}

/** Records status events in the background until the stream ends. */
export function record(statuses: AsyncIterable<TransportStatus>): TransportStatus[] {
  const seen: TransportStatus[] = [];
  void (async () => {
    for await (const status of statuses) seen.push(status);
  })();
  return seen;
}
