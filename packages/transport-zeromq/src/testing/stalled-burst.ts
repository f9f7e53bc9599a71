import type { Delivery, Envelope, JsonObject, Subscription, Transport, TransportStatus } from '@statbus/core';

/** Makes the next envelope of one producer on `topic` (the test kit's `envelopeFactory()`). */
export type EnvelopeMaker = (topic: string, body?: JsonObject) => Envelope;

/** What {@link burstPastStalledSubscriber} leaves running. */
export interface StalledBurst {
  /** The first message, which the subscriber held while the burst went out. */
  readonly held: Delivery;
  /** Seq numbers received, in order; it keeps growing while the subscriber reads on. */
  readonly seqs: number[];
  /** The factory the burst was made with: its next envelope continues the producer's seq numbers. */
  readonly make: EnvelopeMaker;
  /** Closes the subscription and waits for the reading to end. */
  stop(): Promise<void>;
}

/**
 * Publishes `published` messages of 4 KiB on `topic` while the subscriber holds its only prefetch slot, so that
 * it stops reading and the high-water marks drop; then releases the slot (after `afterBurst`, e.g. waiting
 * for a relay to have taken the burst) and reads and acks everything else in the background.
 */
export async function burstPastStalledSubscriber(
  publisher: Transport,
  subscription: Subscription,
  burst: { readonly topic: string; readonly published: number; readonly make: EnvelopeMaker; readonly afterBurst?: () => Promise<unknown> },
): Promise<StalledBurst> {
  const iterator = subscription[Symbol.asyncIterator]();
  const { make } = burst;
  const body = { blob: 'x'.repeat(4096) };
  await publisher.publish(make(burst.topic, body));
  const held = (await iterator.next()).value as Delivery;
  for (let index = 1; index < burst.published; index += 1) await publisher.publish(make(burst.topic, body));
  await burst.afterBurst?.();
  await held.ack();
  const seqs: number[] = [held.envelope.seq];
  const reading = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      seqs.push(next.value.envelope.seq);
      await next.value.ack();
    }
  })();
  return {
    held,
    seqs,
    make,
    stop: async () => {
      await subscription.close();
      await reading;
    },
  };
}

/** Every seq number the gap reports of `statuses` say was lost. */
export function reportedLost(statuses: readonly TransportStatus[]): Set<number> {
  const gaps = statuses.filter((status): status is Extract<TransportStatus, { type: 'gap' }> => status.type === 'gap');
  return new Set(gaps.flatMap((gap) => Array.from({ length: gap.to - gap.from + 1 }, (_, index) => gap.from + index)));
}
