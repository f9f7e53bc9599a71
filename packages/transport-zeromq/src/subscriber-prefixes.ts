import { CONTROL_BYTE } from './wire-frames.js';

/** Topics whose audience is remembered at most; past it the memory starts again (topics are few in practice). */
const MAX_REMEMBERED_TOPICS = 10_000;

/**
 * The prefixes subscribed at an XPUB socket (as it reports them: the first subscription to a prefix and
 * the last unsubscription), and for each topic which of them it matches: its audience.
 *
 * Two messages can travel in one batch when their audiences are the same: a batch goes where its head
 * (its first topic) goes, which is then exactly where each of its messages would have gone alone. Control
 * prefixes (readiness probes) are left out: control messages never travel in a batch.
 *
 * A subscription the socket took in before this object heard of it can only be one that is not yet
 * confirmed live (its probe is read after it), so a batch put together meanwhile breaks no promise. One
 * heard of and already gone only makes audiences differ more, so batches only get smaller.
 */
export class SubscriberPrefixes {
  readonly #prefixes: Buffer[] = [];
  readonly #audiences = new Map<string, string>();

  /** Prefixes subscribed now. */
  get size(): number {
    return this.#prefixes.length;
  }

  /**
   * Reads one message of an XPUB socket: `1<prefix>` subscribes, `0<prefix>` unsubscribes; anything else
   * (and control prefixes) is ignored. Returns true when the set changed.
   */
  observe(message: Buffer): boolean {
    const kind = message[0];
    if (kind !== 0 && kind !== 1) return false;
    const prefix = message.subarray(1);
    if (prefix.length > 0 && prefix[0] === CONTROL_BYTE) return false;
    const index = this.#prefixes.findIndex((known) => known.equals(prefix));
    if (kind === 1 && index < 0) this.#prefixes.push(Buffer.from(prefix));
    else if (kind === 0 && index >= 0) this.#prefixes.splice(index, 1);
    else return false;
    this.#audiences.clear();
    return true;
  }

  /** Which subscribed prefixes `topic` starts with, as a key: equal keys, equal audiences. */
  audience(topic: string): string {
    let key = this.#audiences.get(topic);
    if (key !== undefined) return key;
    const bytes = Buffer.from(topic, 'utf8');
    key = '';
    for (let index = 0; index < this.#prefixes.length; index += 1) {
      const prefix = this.#prefixes[index] as Buffer;
      if (prefix.length <= bytes.length && bytes.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) key += `${index},`;
    }
    if (this.#audiences.size >= MAX_REMEMBERED_TOPICS) this.#audiences.clear();
    this.#audiences.set(topic, key);
    return key;
  }
}
