import { StoreError, type ArchivedMessage, type Envelope, type JsonObject, type ProducerIdentity } from '@statbus/core';
import { searchableText } from '../query/message-text.js';

/**
 * How {@link MongoMessageStore} stores one message: the envelope id as `_id` (unique by construction),
 * `time` in milliseconds (a number, so keyset comparisons are exact), the derived `category`, `users`,
 * `packages` (arrays: multikey indexes) and `agent` (absent when unknown), the envelope's other fields, and
 * `text`, the JSON body that `contains` searches (letters as they are: `i` makes a search case-insensitive).
 */
export interface MongoMessageDocument {
  _id: string;
  time: number;
  topic: string;
  category: string;
  agent?: string;
  users: string[];
  packages: string[];
  producer: ProducerIdentity;
  seq: number;
  headers: Record<string, string>;
  body: JsonObject;
  signature?: string;
  /** True when the archiver verified the signature at ingest; absent on older documents (not verified). */
  verified?: boolean;
  text: string;
  /** Change-feed sequence number, reserved by `insertMany` before the write; absent on older documents. */
  archiveSeq?: number;
}

/**
 * The document for a message.
 *
 * @throws {StoreError} not retryable, naming the id, when the body is not a serialisable JSON object.
 */
export function toMongoDocument(message: ArchivedMessage): MongoMessageDocument {
  const { envelope } = message;
  let text: string;
  try {
    const body = envelope.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('the body is not a JSON object');
    text = searchableText(envelope.body);
  } catch (error) {
    throw new StoreError(`message ${envelope.id} cannot be stored: ${(error as Error).message}`, { retryable: false, cause: error });
  }
  return {
    _id: envelope.id,
    time: envelope.time,
    topic: envelope.topic,
    category: message.category,
    ...(message.agent === undefined ? {} : { agent: message.agent }),
    users: [...message.users],
    packages: [...message.packages],
    producer: { ...envelope.producer },
    seq: envelope.seq,
    headers: { ...envelope.headers },
    body: envelope.body,
    ...(envelope.signature === undefined ? {} : { signature: envelope.signature }),
    ...(message.verified === true ? { verified: true } : {}),
    text,
  };
}

/** The archived message a document holds. */
export function fromMongoDocument(document: MongoMessageDocument): ArchivedMessage {
  const envelope: Envelope = {
    id: document._id,
    topic: document.topic,
    time: document.time,
    producer: {
      name: document.producer.name,
      host: document.producer.host,
      pid: document.producer.pid,
      instance: document.producer.instance,
    },
    seq: document.seq,
    headers: document.headers,
    body: document.body,
    ...(document.signature === undefined ? {} : { signature: document.signature }),
  };
  return {
    envelope,
    category: document.category,
    users: document.users,
    packages: document.packages,
    ...(document.agent === undefined ? {} : { agent: document.agent }),
    ...(document.verified === true ? { verified: true } : {}),
  };
}
