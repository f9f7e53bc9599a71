/** JSON values as they travel in an envelope body. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the body of every message. */
export type JsonObject = { [key: string]: JsonValue };

/** Who sent a message: the producer's configured name and this running instance of it. */
export interface ProducerIdentity {
  /** The configured producer name (what signing keys and routing policies are keyed by). */
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  /** Unique per running instance; `seq` counts per instance. */
  readonly instance: string;
}

/**
 * What travels on the bus, identical on every transport.
 *
 * Header names with a meaning to statbus: `usernames` and `packages` (comma-separated lists the archive
 * indexes), `agent` (who caused the event), `severity` (`debug`, `info`, `warning`, `error`), `schema`
 * (the name of the JSON Schema the body follows).
 */
export interface Envelope {
  /** Unique message id: `<year>-<uuid>` (a time-ordered version 7 UUID) when made by statbus; any other non-blank id (fedmsg's `<year>-<uuid4>`, plain UUIDs) is accepted. */
  readonly id: string;
  /** The full topic, `<prefix>.<env>.<category>.<event…>` (one or more words after the category). */
  readonly topic: string;
  /** When the message was sent, in milliseconds since the Unix epoch (UTC). */
  readonly time: number;
  readonly producer: ProducerIdentity;
  /** Per producer instance, from 1, without holes; subscribers use it to detect lost messages. */
  readonly seq: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: JsonObject;
  /** Base64 Ed25519 signature over the canonical bytes of the rest of the envelope, when signing is on. */
  readonly signature?: string;
}

/** The header names statbus itself reads. */
export const HEADER_USERNAMES = 'usernames';
export const HEADER_PACKAGES = 'packages';
export const HEADER_AGENT = 'agent';
export const HEADER_SEVERITY = 'severity';
export const HEADER_SCHEMA = 'schema';
/**
 * Set by `statbus replay` on a message it publishes again (value: when, ISO 8601). The id is the original's,
 * so archives store it once; consumers that must not act twice can skip it. Not covered by the signature:
 * the replayed message is the original one.
 */
export const HEADER_REPLAYED = 'replayed';
