import type { Envelope, JsonObject, ProducerIdentity } from './envelope.js';
import { isBuiltEnvelope } from './fast-envelope-check.js';
import { newMessageId } from './message-id.js';
import { validateEnvelope } from './validate-envelope.js';

/** What a caller gives to {@link createEnvelope}; id and time are made when absent. */
export interface EnvelopeInit {
  readonly topic: string;
  readonly body: JsonObject;
  readonly producer: ProducerIdentity;
  readonly seq: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly id?: string;
  readonly time?: number;
  readonly signature?: string;
}

/**
 * Builds a valid envelope, fields in their canonical order, so that its wire bytes are stable. An envelope of
 * plain JSON values is checked by the hot-path check and returned as built (its body and headers are the
 * caller's objects); anything else goes through the zod schema, which returns a checked copy or says what is wrong.
 *
 * @throws {EnvelopeError} when a field is invalid (a bad topic, a body that is not a JSON object…).
 */
export function createEnvelope(init: EnvelopeInit): Envelope {
  const time = init.time ?? Date.now();
  const envelope: Record<string, unknown> = {
    id: init.id ?? newMessageId(time),
    topic: init.topic,
    time,
    producer: init.producer,
    seq: init.seq,
    headers: init.headers ?? {},
    body: init.body,
  };
  if (init.signature !== undefined) envelope['signature'] = init.signature;
  if (isBuiltEnvelope(envelope)) return envelope;
  return validateEnvelope(envelope);
}
