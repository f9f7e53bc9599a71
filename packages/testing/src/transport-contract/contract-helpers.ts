import { createEnvelope, type Delivery, type Envelope, type JsonObject, type Subscription, type TransportStatus } from '@statbus/core';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../wait-for.js';

/** Topics of the contract suite live under this namespace. */
export const CONTRACT_PREFIX = 'org.statbus.dev';

/** A producer that numbers its envelopes like a real one (seq from 1, one instance id). */
export function envelopeFactory(name = 'contract'): (topic: string, body?: JsonObject) => Envelope {
  const instance = randomUUID();
  let seq = 0;
  return (topic, body = {}) => {
    seq += 1;
    return createEnvelope({ topic, body, seq, producer: { name, host: 'localhost', pid: process.pid, instance } });
  };
}

/** Collects what a subscription delivers, acking each, until stopped. */
export interface Collector {
  readonly deliveries: Delivery[];
  readonly envelopes: Envelope[];
  readonly done: Promise<void>;
}

/** Iterates `subscription` in the background, acking every delivery (unless `ack` is false). */
export function collect(subscription: Subscription, options: { ack?: boolean } = {}): Collector {
  const deliveries: Delivery[] = [];
  const envelopes: Envelope[] = [];
  const done = (async () => {
    for await (const delivery of subscription) {
      deliveries.push(delivery);
      envelopes.push(delivery.envelope);
      if (options.ack !== false) await delivery.ack();
    }
  })();
  return { deliveries, envelopes, done };
}

/** Records status events in the background until the iterable ends. */
export function recordStatus(statuses: AsyncIterable<TransportStatus>): TransportStatus[] {
  const seen: TransportStatus[] = [];
  void (async () => {
    for await (const status of statuses) seen.push(status);
  })();
  return seen;
}

/** Waits until `collector` holds at least `count` envelopes. */
export async function received(collector: Collector, count: number, what = `${count} message(s)`): Promise<void> {
  await waitFor(() => collector.envelopes.length >= count, { message: `receiving ${what} (got ${collector.envelopes.length})` });
}
