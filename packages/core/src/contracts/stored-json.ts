import type { MessageQuery } from './message-query.js';
import type { MessagePage } from './message-store.js';

/**
 * A message as a store keeps it: its fields, with its `envelope.headers`, `envelope.body`, `users` and
 * `packages` as the JSON text `JSON.stringify` gave for them when they were stored (not parsed).
 */
export interface StoredMessageJson {
  readonly id: string;
  readonly topic: string;
  readonly time: number;
  readonly category: string;
  readonly agent: string | null;
  readonly producer: { readonly name: string; readonly host: string; readonly pid: number; readonly instance: string };
  readonly seq: number;
  readonly signature: string | null;
  readonly verified: boolean;
  readonly headers: string;
  readonly body: string;
  readonly users: string;
  readonly packages: string;
}

/** A page of `find` whose messages are {@link StoredMessageJson}. */
export type StoredJsonPage = Omit<MessagePage, 'messages'> & { readonly messages: readonly StoredMessageJson[] };

/**
 * A store that can answer `find` with each message's stored JSON instead of the parsed message: for an answer
 * that only serialises the messages again, what parsing them would cost is saved.
 */
export interface StoredJsonFinder {
  /** The page `find(query)` gives, each message as stored; rejects as `find` does. */
  findStoredJson(query: MessageQuery): Promise<StoredJsonPage>;
}

/** Whether `store` implements {@link StoredJsonFinder}. */
export function findsStoredJson(store: object): store is StoredJsonFinder {
  return typeof (store as Partial<StoredJsonFinder>).findStoredJson === 'function';
}
