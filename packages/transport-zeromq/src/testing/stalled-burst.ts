import { setTimeout as delay } from 'node:timers/promises';
import type { Delivery, Envelope, JsonObject, Subscription, Transport, TransportStatus } from '@statbus/core';

/** Makes the next envelope of one producer on `topic` (the test kit's `envelopeFactory()`). */
export type EnvelopeMaker = (topic: string, body?: JsonObject) => Envelope;

/** What {@link burstPastStalledSubscriber} leaves running. */
export interface StalledBurst {
  /** The first message received, which the subscriber held while the burst went out. */
  readonly held: Delivery;
  /**
   * Messages published from the held one on: what the subscriber must account for, received or reported
   * missed. The messages sent before it (when a first message had to be sent again) came before the
   * subscriber's baseline, so their loss is no gap.
   */
  readonly published: number;
  /** The seq of the last message of the burst. */
  readonly lastSeq: number;
  /** Seq numbers received, in order; it keeps growing while the subscriber reads on. */
  readonly seqs: number[];
  /** The factory the burst was made with: its next envelope continues the producer's seq numbers. */
  readonly make: EnvelopeMaker;
  /** Closes the subscription and waits for the reading to end. */
  stop(): Promise<void>;
}

/** How long the first message of a burst is waited for before another is sent (ms). */
const FIRST_MESSAGE_WAIT_MS = 1_000;

/**
 * Publishes `published` messages of 4 KiB on `topic` while the subscriber holds its only prefetch slot, so that
 * it stops reading and the high-water marks drop; then releases the slot (after `afterBurst`, e.g. waiting
 * for a relay to have taken the `sent` messages) and reads and acks everything else in the background.
 *
 * The first message is sent again until one arrives: at high-water marks this small (one batch), a stream
 * heartbeat still queued towards the subscriber on a loaded machine can make the publisher drop it (seen).
 */
export async function burstPastStalledSubscriber(
  publisher: Transport,
  subscription: Subscription,
  burst: { readonly topic: string; readonly published: number; readonly make: EnvelopeMaker; readonly afterBurst?: (sent: number) => Promise<unknown> },
): Promise<StalledBurst> {
  const iterator = subscription[Symbol.asyncIterator]();
  const { make } = burst;
  const body = { blob: 'x'.repeat(4096) };
  const first = iterator.next();
  let held: Delivery | undefined;
  let lastSeq = 0;
  let sent = 0;
  const send = async (): Promise<void> => {
    const envelope = make(burst.topic, body);
    lastSeq = envelope.seq;
    sent += 1;
    await publisher.publish(envelope);
  };
  while (held === undefined) {
    await send();
    const waited = new AbortController();
    const next = await Promise.race([first, delay(FIRST_MESSAGE_WAIT_MS, undefined, { signal: waited.signal }).catch(() => undefined)]);
    waited.abort();
    if (next !== undefined) held = next.value as Delivery;
  }
  for (let index = 1; index < burst.published; index += 1) await send();
  await burst.afterBurst?.(sent);
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
    published: lastSeq - held.envelope.seq + 1,
    lastSeq,
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
