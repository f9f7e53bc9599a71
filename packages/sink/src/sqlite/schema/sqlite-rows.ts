import { StoreError, type ArchivedMessage, type Envelope, type JsonObject } from '@statbus/core';

/** A row of `messages` as SQLite returns it. */
export interface MessageRow {
  n: number;
  id: string;
  time: number;
  topic: string;
  category: string;
  agent: string | null;
  producer_name: string;
  producer_host: string;
  producer_pid: number;
  producer_instance: string;
  seq: number;
  headers: string;
  body: string;
  signature: string | null;
  users: string;
  packages: string;
  /** 1 when the archiver verified the signature at ingest (version 6); 0 otherwise, rows written before included. */
  verified: number;
}

/** What one message writes: its row (without `n`). */
export interface PreparedMessage {
  readonly row: Omit<MessageRow, 'n'>;
}

/**
 * Serialises a message for the tables, before any transaction starts.
 *
 * @throws {StoreError} not retryable, naming the id, when the message cannot be stored (a body that is not
 *   a JSON object or cannot be serialised, a field of the wrong type).
 */
export function prepareMessage(message: ArchivedMessage): PreparedMessage {
  const envelope = message.envelope as Envelope | undefined;
  const id = typeof envelope?.id === 'string' ? envelope.id : '(no id)';
  try {
    if (envelope === undefined || typeof envelope.id !== 'string' || envelope.id === '') throw new TypeError('no id');
    if (typeof envelope.time !== 'number' || !Number.isFinite(envelope.time)) throw new TypeError('time is not a number');
    const body = envelope.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TypeError('the body is not a JSON object');
    const bodyJson = JSON.stringify(body);
    return {
      row: {
        id: envelope.id,
        time: Math.trunc(envelope.time),
        topic: envelope.topic,
        category: message.category,
        agent: message.agent ?? null,
        producer_name: envelope.producer.name,
        producer_host: envelope.producer.host,
        producer_pid: envelope.producer.pid,
        producer_instance: envelope.producer.instance,
        seq: envelope.seq,
        headers: JSON.stringify(envelope.headers),
        body: bodyJson,
        signature: envelope.signature ?? null,
        users: JSON.stringify(message.users),
        packages: JSON.stringify(message.packages),
        verified: message.verified === true ? 1 : 0,
      },
    };
  } catch (error) {
    throw new StoreError(`message ${id} cannot be stored: ${(error as Error).message}`, { retryable: false, cause: error });
  }
}

/** The change feed's columns without `headers` and `body` (`ChangesOptions.content: false`). */
export const ROW_COLUMNS_WITHOUT_CONTENT = 'n, id, time, topic, category, agent, producer_name, producer_host, producer_pid, producer_instance, seq, signature, users, packages';

/** A row of {@link ROW_COLUMNS_WITHOUT_CONTENT} read as an array (SQLite's raw mode: no object per row). */
export type RawRowWithoutContent = [
  n: number,
  id: string,
  time: number,
  topic: string,
  category: string,
  agent: string | null,
  producerName: string,
  producerHost: string,
  producerPid: number,
  producerInstance: string,
  seq: number,
  signature: string | null,
  users: string,
  packages: string,
];

/** Rebuilds the archived message of a raw row without content: `headers` and `body` empty. */
export function rawRowToMessage(row: RawRowWithoutContent): ArchivedMessage {
  const [, id, time, topic, category, agent, name, host, pid, instance, seq, signature, users, packages] = row;
  const envelope: Envelope = { id, topic, time, producer: { name, host, pid, instance }, seq, headers: {}, body: {}, ...(signature === null ? {} : { signature }) };
  return { envelope, category, users: JSON.parse(users) as string[], packages: JSON.parse(packages) as string[], ...(agent === null ? {} : { agent }) };
}

/** Rebuilds the archived message a row holds. */
export function rowToMessage(row: MessageRow): ArchivedMessage {
  const envelope: Envelope = {
    id: row.id,
    topic: row.topic,
    time: row.time,
    producer: { name: row.producer_name, host: row.producer_host, pid: row.producer_pid, instance: row.producer_instance },
    seq: row.seq,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: JSON.parse(row.body) as JsonObject,
    ...(row.signature === null ? {} : { signature: row.signature }),
  };
  return {
    envelope,
    category: row.category,
    users: JSON.parse(row.users) as string[],
    packages: JSON.parse(row.packages) as string[],
    ...(row.agent === null ? {} : { agent: row.agent }),
    ...(row.verified === 1 ? { verified: true } : {}),
  };
}
