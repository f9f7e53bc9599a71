import { storedJsonOf, type ArchivedMessage, type JsonValue } from '@statbus/core';
import type { MetaValue } from '../params/parse-params.js';
import { metaFields } from './message-meta.js';
import { SOURCE_NAME, toV1Message } from './v1-message.js';
import { toV2Message, v2AddedHeaders } from './v2-message.js';

/** A message's JSON text in one of the served shapes. */
export type MessageJson = (message: ArchivedMessage, meta: readonly MetaValue[]) => string;

/** Header keys that `toV1Message` takes out of `headers` (an imported message's own source name and version). */
const V1_TAKEN_HEADERS = ['"source_name"', '"source_version"'];
/** Header keys that `toV2Message` adds: a stored header of the same name would be replaced in place. */
const V2_ADDED_HEADER_PREFIXES = ['"fedora_messaging_', '"sent-at"', '"priority"', '"statbus_verified"'];

const mentions = (text: string, keys: readonly string[]): boolean => keys.some((key) => text.includes(key));

function metaJson(message: ArchivedMessage, meta: readonly MetaValue[]): string {
  return meta.length === 0 ? '' : `,"meta":${JSON.stringify(metaFields(message, meta))}`;
}

/** Two JSON objects' members in one object, the first's first (neither may hold a key of the other). */
function joinObjects(first: string, second: string): string {
  if (first === '{}') return second;
  if (second === '{}') return first;
  return `${first.slice(0, -1)},${second.slice(1)}`;
}

/**
 * `JSON.stringify(toV1Message(message, meta, sourceVersion))`, with the headers, body, users and packages the
 * store read sent as stored instead of parsed and serialised again (the same text: stored by `JSON.stringify`).
 */
export function v1MessageJson(message: ArchivedMessage, meta: readonly MetaValue[], sourceVersion = '0'): string {
  const stored = storedJsonOf(message);
  if (stored === undefined || mentions(stored.headers, V1_TAKEN_HEADERS)) return JSON.stringify(toV1Message(message, meta, sourceVersion));
  const { envelope } = message;
  const verified = message.verified === true;
  const signature = verified ? (envelope.signature ?? null) : null;
  const crypto = verified && envelope.signature !== undefined ? 'ed25519' : null;
  return (
    `{"msg_id":${JSON.stringify(envelope.id)},"i":${JSON.stringify(envelope.seq)},"topic":${JSON.stringify(envelope.topic)},` +
    `"timestamp":${JSON.stringify(envelope.time / 1000)},"msg":${stored.body},"headers":${stored.headers},` +
    `"username":${JSON.stringify(envelope.producer.name)},"users":${stored.users},"packages":${stored.packages},` +
    `"source_name":${JSON.stringify(SOURCE_NAME)},"source_version":${JSON.stringify(sourceVersion)},"certificate":null,` +
    `"signature":${JSON.stringify(signature)},"crypto":${JSON.stringify(crypto)},"verified":${JSON.stringify(verified)}${metaJson(message, meta)}}`
  );
}

/** `JSON.stringify(toV2Message(message, meta))`, with the stored headers and body sent as stored (see {@link v1MessageJson}). */
export function v2MessageJson(message: ArchivedMessage, meta: readonly MetaValue[]): string {
  const stored = storedJsonOf(message);
  if (stored === undefined || mentions(stored.headers, V2_ADDED_HEADER_PREFIXES)) return JSON.stringify(toV2Message(message, meta));
  const added: Record<string, JsonValue> = Object.fromEntries(v2AddedHeaders(message));
  const { envelope } = message;
  return (
    `{"id":${JSON.stringify(envelope.id)},"topic":${JSON.stringify(envelope.topic)},"headers":${joinObjects(stored.headers, JSON.stringify(added))},` +
    `"body":${stored.body},"queue":null,"priority":0${metaJson(message, meta)}}`
  );
}
