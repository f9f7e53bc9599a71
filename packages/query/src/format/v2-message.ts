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
  const headers: Record<string, JsonValue> = { ...envelope.headers };
  headers['fedora_messaging_schema'] = envelope.headers['schema'] ?? BASE_SCHEMA;
  headers['fedora_messaging_severity'] = SEVERITY_LEVELS[envelope.headers['severity'] ?? 'info'] ?? 20;
  headers['sent-at'] = new Date(envelope.time).toISOString().replace('Z', '+00:00');
  headers['priority'] = 0;
  for (const user of message.users) headers[`fedora_messaging_user_${user}`] = true;
  for (const name of message.packages) headers[`fedora_messaging_rpm_${name}`] = true;
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
