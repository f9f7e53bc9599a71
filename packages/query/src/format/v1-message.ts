import type { ArchivedMessage, JsonObject, JsonValue } from '@statbus/core';
import type { MetaValue } from '../params/parse-params.js';
import { metaFields } from './message-meta.js';

/** Name reported as `source_name` (datanommer stores the sending library's name there). */
export const SOURCE_NAME = 'statbus';

/** Headers in which an imported message keeps its original `source_name` / `source_version`. */
const SOURCE_NAME_HEADER = 'source_name';
const SOURCE_VERSION_HEADER = 'source_version';

/** A message in datagrepper's v1 (fedmsg / datanommer) shape, as `/raw` and `/id` serve it. */
export interface V1Message {
  readonly msg_id: string;
  readonly i: number;
  readonly topic: string;
  /** Seconds since the epoch, fractional. */
  readonly timestamp: number;
  readonly msg: JsonObject;
  readonly headers: Readonly<Record<string, string>>;
  readonly username: string | null;
  readonly users: readonly string[];
  readonly packages: readonly string[];
  readonly source_name: string;
  readonly source_version: string;
  readonly certificate: string | null;
  /** The signature, only when the archiver verified it at ingest; null otherwise. */
  readonly signature: string | null;
  readonly crypto: string | null;
  /** Whether the archiver verified the signature and routing policy at ingest. */
  readonly verified: boolean;
  readonly meta?: Readonly<Record<string, JsonValue>>;
}

/**
 * datanommer's message dict: `i` is the producer's sequence number, `username` the producer's name (fedmsg
 * put the sending process's user there), `certificate` is always null (statbus signs with Ed25519, reported
 * in `crypto`), `users` and `packages` are what the archive indexes the message by. `source_name` and
 * `source_version` are statbus's, except for an imported message that kept its own (in the `source_name` /
 * `source_version` headers, reported here and not among `headers`). `signature` and `crypto` are given only for a
 * message the archiver verified at ingest (`verified`).
 */
export function toV1Message(message: ArchivedMessage, meta: readonly MetaValue[] = [], sourceVersion = '0'): V1Message {
  const { envelope } = message;
  const verified = message.verified === true;
  const { [SOURCE_NAME_HEADER]: givenName, [SOURCE_VERSION_HEADER]: givenVersion, ...headers } = envelope.headers;
  return {
    msg_id: envelope.id,
    i: envelope.seq,
    topic: envelope.topic,
    timestamp: envelope.time / 1000,
    msg: envelope.body,
    headers: givenName === undefined && givenVersion === undefined ? envelope.headers : headers,
    username: envelope.producer.name,
    users: message.users,
    packages: message.packages,
    source_name: givenName ?? SOURCE_NAME,
    source_version: givenVersion ?? sourceVersion,
    certificate: null,
    // A signature nobody checked is not presented: a client would take the body beside it as signed.
    signature: verified ? (envelope.signature ?? null) : null,
    crypto: verified && envelope.signature !== undefined ? 'ed25519' : null,
    verified,
    ...(meta.length === 0 ? {} : { meta: metaFields(message, meta) }),
  };
}
