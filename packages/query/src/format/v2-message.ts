import type { ArchivedMessage, JsonObject, JsonValue } from '@statbus/core';
import type { MetaValue } from '../params/parse-params.js';
import { metaFields } from './message-meta.js';

/** fedora-messaging's severities (Python logging levels). */
export const SEVERITY_LEVELS: Readonly<Record<string, number>> = { debug: 10, info: 20, warning: 30, error: 40 };

/** fedora-messaging's schema name of a message without a specific one (`fedora_messaging.message:Message`). */
export const BASE_SCHEMA = 'base.message';

/** A message in fedora-messaging's dump shape, as `/v2/search` and `/v2/id` serve it. */
export interface V2Message {
  readonly id: string;
  readonly topic: string;
  readonly headers: Readonly<Record<string, JsonValue>>;
  readonly body: JsonObject;
  readonly queue: null;
  readonly priority: number;
  readonly meta?: Readonly<Record<string, JsonValue>>;
}

/**
 * fedora-messaging's `Message._dump()`: headers carry `fedora_messaging_schema`,
 * `fedora_messaging_severity` (10/20/30/40), `sent-at` (ISO 8601 with `+00:00`), `priority`, and one
 * `fedora_messaging_user_<name>` / `fedora_messaging_rpm_<name>` flag per user and package (what
 * fedora-messaging sets so that AMQP header exchanges can route on them); statbus's own headers are kept.
 */
export function toV2Message(message: ArchivedMessage, meta: readonly MetaValue[] = []): V2Message {
  const { envelope } = message;
  // Built from a list: adding each message's own user and package keys one by one to an object made V8 build a
  // new hidden class per combination, which made every later property access slow.
  const entries: [string, JsonValue][] = Object.entries(envelope.headers);
  entries.push(...v2AddedHeaders({ headers: envelope.headers, time: envelope.time, verified: message.verified === true, users: message.users, packages: message.packages }));
  const headers: Record<string, JsonValue> = Object.fromEntries(entries);
  return {
    id: envelope.id,
    topic: envelope.topic,
    headers,
    body: envelope.body,
    queue: null,
    priority: 0,
    ...(meta.length === 0 ? {} : { meta: metaFields(message, meta) }),
  };
}

/** What the headers {@link toV2Message} adds are made of. */
export interface V2HeaderSource {
  readonly headers: Readonly<Record<string, string>>;
  readonly time: number;
  readonly verified: boolean;
  readonly users: readonly string[];
  readonly packages: readonly string[];
}

/** The headers {@link toV2Message} adds after the message's own, in order. */
export function v2AddedHeaders(source: V2HeaderSource): [string, JsonValue][] {
  const entries: [string, JsonValue][] = [
    ['fedora_messaging_schema', source.headers['schema'] ?? BASE_SCHEMA],
    ['fedora_messaging_severity', SEVERITY_LEVELS[source.headers['severity'] ?? 'info'] ?? 20],
    ['sent-at', new Date(source.time).toISOString().replace('Z', '+00:00')],
    ['priority', 0],
    // Whether the archiver verified the signature at ingest; the signature itself is not part of this shape.
    ['statbus_verified', source.verified],
  ];
  for (const user of source.users) entries.push([`fedora_messaging_user_${user}`, true]);
  for (const name of source.packages) entries.push([`fedora_messaging_rpm_${name}`, true]);
  return entries;
}
