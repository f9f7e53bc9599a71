import type { ArchivedMessage } from './message-store.js';

/**
 * The JSON text of a message's `envelope.headers`, `envelope.body`, `users` and `packages` as a store holds it:
 * exactly what `JSON.stringify` gives for each of those values.
 */
export interface StoredMessageJson {
  readonly headers: string;
  readonly body: string;
  readonly users: string;
  readonly packages: string;
}

const kept = new WeakMap<ArchivedMessage, StoredMessageJson>();

/**
 * Notes that `message` (just read, never changed after) serialises to `json`: a store that keeps each message
 * as `JSON.stringify` wrote it calls this, so that an answer can carry the stored text instead of serialising
 * the parsed values again.
 */
export function keepStoredJson(message: ArchivedMessage, json: StoredMessageJson): void {
  kept.set(message, json);
}

/** The JSON text a store noted for `message` ({@link keepStoredJson}), or undefined: serialise its values then. */
export function storedJsonOf(message: ArchivedMessage): StoredMessageJson | undefined {
  return kept.get(message);
}
