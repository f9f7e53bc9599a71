import type { ArchivedMessage, Envelope, JsonObject, JsonValue, StoredMessageJson } from '@statbus/core';
import { SOURCE_NAME, toV1Message } from './v1-message.js';
import { toV2Message, v2AddedHeaders } from './v2-message.js';

/** Header keys that `toV1Message` takes out of `headers` (an imported message's own source name and version). */
const V1_TAKEN_HEADERS = ['"source_name"', '"source_version"'];
/** Header keys that `toV2Message` adds: a stored header of the same name would be replaced in place. */
const V2_ADDED_HEADERS = ['"fedora_messaging_', '"sent-at"', '"priority"', '"statbus_verified"'];

const mentions = (text: string, keys: readonly string[]): boolean => keys.some((key) => text.includes(key));

/** The archived message a stored one holds, its JSON parsed. */
export function parseStoredMessage(stored: StoredMessageJson): ArchivedMessage {
  const envelope: Envelope = {
    id: stored.id,
    topic: stored.topic,
    time: stored.time,
    producer: { ...stored.producer },
    seq: stored.seq,
    headers: JSON.parse(stored.headers) as Record<string, string>,
    body: JSON.parse(stored.body) as JsonObject,
    ...(stored.signature === null ? {} : { signature: stored.signature }),
  };
  return {
    envelope,
    category: stored.category,
    users: JSON.parse(stored.users) as string[],
    packages: JSON.parse(stored.packages) as string[],
    ...(stored.agent === null ? {} : { agent: stored.agent }),
    ...(stored.verified ? { verified: true } : {}),
  };
}

/** Two JSON objects' members in one object, the first's first (neither may hold a key of the other). */
function joinObjects(first: string, second: string): string {
  if (first === '{}') return second;
  if (second === '{}') return first;
  return `${first.slice(0, -1)},${second.slice(1)}`;
}

/**
 * `JSON.stringify(toV1Message(parseStoredMessage(stored), [], sourceVersion))`, without parsing: the stored
 * headers, body, users and packages are the text `JSON.stringify` wrote, and are sent as they are.
 */
export function v1StoredJson(stored: StoredMessageJson, sourceVersion = '0'): string {
  if (mentions(stored.headers, V1_TAKEN_HEADERS)) return JSON.stringify(toV1Message(parseStoredMessage(stored), [], sourceVersion));
  const signature = stored.verified ? stored.signature : null;
  const crypto = stored.verified && stored.signature !== null ? 'ed25519' : null;
  return (
    `{"msg_id":${JSON.stringify(stored.id)},"i":${JSON.stringify(stored.seq)},"topic":${JSON.stringify(stored.topic)},` +
    `"timestamp":${JSON.stringify(stored.time / 1000)},"msg":${stored.body},"headers":${stored.headers},` +
    `"username":${JSON.stringify(stored.producer.name)},"users":${stored.users},"packages":${stored.packages},` +
    `"source_name":${JSON.stringify(SOURCE_NAME)},"source_version":${JSON.stringify(sourceVersion)},"certificate":null,` +
    `"signature":${JSON.stringify(signature)},"crypto":${JSON.stringify(crypto)},"verified":${JSON.stringify(stored.verified)}}`
  );
}

/** `JSON.stringify(toV2Message(parseStoredMessage(stored)))`, the stored body and headers sent as they are. */
export function v2StoredJson(stored: StoredMessageJson): string {
  if (mentions(stored.headers, V2_ADDED_HEADERS)) return JSON.stringify(toV2Message(parseStoredMessage(stored)));
  const added: Record<string, JsonValue> = Object.fromEntries(
    v2AddedHeaders({
      headers: JSON.parse(stored.headers) as Record<string, string>,
      time: stored.time,
      verified: stored.verified,
      users: JSON.parse(stored.users) as string[],
      packages: JSON.parse(stored.packages) as string[],
    }),
  );
  return (
    `{"id":${JSON.stringify(stored.id)},"topic":${JSON.stringify(stored.topic)},"headers":${joinObjects(stored.headers, JSON.stringify(added))},` +
    `"body":${stored.body},"queue":null,"priority":0}`
  );
}
