import type { ArchivedMessage, Envelope, JsonObject, StoredMessageJson } from '@statbus/core';

/**
 * The columns of `messages m` a page reads, in the order of {@link RawMessageRow}. Read in SQLite's raw mode (an
 * array per row): no object with seventeen named properties is built per row only to be taken apart again.
 */
export const RAW_MESSAGE_COLUMNS =
  'm.n, m.id, m.time, m.topic, m.category, m.agent, m.producer_name, m.producer_host, m.producer_pid, m.producer_instance, m.seq, m.headers, m.body, m.signature, m.users, m.packages, m.verified';

/** A row of {@link RAW_MESSAGE_COLUMNS}. */
export type RawMessageRow = [
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
  headers: string,
  body: string,
  signature: string | null,
  users: string,
  packages: string,
  verified: number,
];

/** The row key `n` of a raw row. */
export const rawN = (row: RawMessageRow): number => row[0];

/** The `(time, id)` a raw row is ordered by. */
export const rawKey = (row: RawMessageRow): { time: number; id: string } => ({ time: row[2], id: row[1] });

/** Rebuilds the archived message a raw row holds (the same message `rowToMessage` gives for the row as an object). */
export function rawMessageRowToMessage(row: RawMessageRow): ArchivedMessage {
  const [, id, time, topic, category, agent, name, host, pid, instance, seq, headers, body, signature, users, packages, verified] = row;
  const envelope: Envelope = {
    id,
    topic,
    time,
    producer: { name, host, pid, instance },
    seq,
    headers: JSON.parse(headers) as Record<string, string>,
    body: JSON.parse(body) as JsonObject,
    ...(signature === null ? {} : { signature }),
  };
  return {
    envelope,
    category,
    users: users === '[]' ? [] : (JSON.parse(users) as string[]),
    packages: packages === '[]' ? [] : (JSON.parse(packages) as string[]),
    ...(agent === null ? {} : { agent }),
    ...(verified === 1 ? { verified: true } : {}),
  };
}

/**
 * The message a raw row holds, its JSON columns as stored: every writer of `headers`, `body`, `users` and
 * `packages` stores `JSON.stringify` of the value, so an answer may send that text as it is.
 */
export function rawMessageRowToStoredJson(row: RawMessageRow): StoredMessageJson {
  const [, id, time, topic, category, agent, name, host, pid, instance, seq, headers, body, signature, users, packages, verified] = row;
  return { id, topic, time, category, agent, producer: { name, host, pid, instance }, seq, signature, verified: verified === 1, headers, body, users, packages };
}
