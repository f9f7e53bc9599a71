import type { ReplayClient } from './replay-endpoint.js';

/** The last position a publisher sent on one topic. */
export interface SentPosition {
  readonly topic: string;
  readonly n: number;
}

/** Pause between two asks while the relay has not yet taken in a stream's last message. */
const RETRY_MS = 20;

/**
 * Waits until the relay holds the last message `publisher` sent on each stream, asking its replay endpoint for that
 * one position until the answer has it or `deadline` (ms since the epoch; `Infinity`: no limit) passed. The relay keeps
 * every statbus message it takes in, and a publisher's messages reach it in order without a drop (the publisher waits
 * at the high-water mark), so holding the last one means holding them all: only then may a short-lived publisher close
 * its socket, since ZeroMQ throws away what is still queued when it gives up lingering. Resolves with the streams the
 * relay did not confirm in time (their tail may be lost, and no subscriber will learn of it from the relay).
 */
export async function awaitRelayReceipt(client: ReplayClient, publisher: string, sent: readonly SentPosition[], deadline: number): Promise<SentPosition[]> {
  const unconfirmed: SentPosition[] = [];
  for (const stream of sent) {
    let held = false;
    while (!held && Date.now() < deadline) {
      const frames = await client.fetch(publisher, stream.topic, stream.n, stream.n);
      held = frames !== undefined && frames.length > 0;
      if (held || Date.now() + RETRY_MS >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    if (!held) unconfirmed.push(stream);
  }
  return unconfirmed;
}
