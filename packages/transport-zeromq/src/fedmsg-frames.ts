import { CodecError, EnvelopeError, MAX_BODY_DEPTH, assertMessageSize, jsonTextDepthExceeds, createEnvelope, type Envelope, type EnvelopeIssue, type JsonObject } from '@statbus/core';

/**
 * fedmsg's wire format (fedmsg/core.py `FedMsgContext.publish`): two frames, the topic then the UTF-8 JSON of
 * `{topic, msg, msg_id, timestamp, i, username}`, plus `signature`/`certificate`/`crypto` when signed and
 * `seq_id` when a persistent store numbers messages.
 *
 * Read into an envelope: `msg_id` is the id, `msg` the body, `timestamp` (seconds) the time, `i` the seq,
 * `username` the producer name; every other key (`crypto`, `signature`, `certificate`, `seq_id`, …) is kept,
 * as given, in a header `fedmsg_<key>` (JSON text unless it is a string) and written back as it was.
 *
 * statbus adds one key of its own when it publishes a message that is not fedmsg-signed, `statbus`: the
 * producer's host, pid and instance, the envelope's headers and signature; with it a statbus subscriber gets
 * back the very envelope sent and can tell lost messages by `i`. A signed fedmsg message is sent with exactly
 * its own keys, since its signature covers them all. fedmsg's consumers ignore keys they do not know.
 */
export const FEDMSG_HEADER_PREFIX = 'fedmsg_';
/** The key statbus adds to the fedmsg JSON it sends. */
export const FEDMSG_STATBUS_KEY = 'statbus';
/** Producer instance of messages from fedmsg itself, which names none: one fedmsg process's `i` cannot be told from another's. */
export const FEDMSG_INSTANCE = 'fedmsg';

const OWN_KEYS = new Set(['topic', 'msg', 'msg_id', 'timestamp', 'i', 'username', FEDMSG_STATBUS_KEY]);
/** Keys fedmsg's signature covers the message without. */
const SIGNATURE_KEYS = new Set(['signature', 'certificate']);

type JsonRecord = Record<string, unknown>;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when a parsed JSON value has fedmsg's shape (a topic and a msg), as opposed to a statbus envelope's. */
export function isFedmsgMessage(value: unknown): value is JsonRecord {
  return isRecord(value) && typeof value['topic'] === 'string' && 'msg' in value && !('producer' in value && 'seq' in value);
}

interface StatbusExtension {
  readonly host?: unknown;
  readonly pid?: unknown;
  readonly instance?: unknown;
  readonly headers?: unknown;
  readonly signature?: unknown;
}

/** What a received fedmsg message became. */
export interface FedmsgRead {
  readonly envelope: Envelope;
  /** Whether `seq` numbers one producer instance's messages without holes (only when statbus sent it). */
  readonly numbered: boolean;
}

/**
 * Reads fedmsg's JSON (already parsed) into an envelope, checking it against the topic frame.
 *
 * @throws {EnvelopeError} naming every field that is wrong: no `msg_id`, a `timestamp` or `i` that is not a
 *   number, a `msg` that is not an object, a topic that differs from the topic frame.
 */
export function fedmsgToEnvelope(frameTopic: string, value: JsonRecord, receivedAt: number = Date.now()): FedmsgRead {
  const issues: EnvelopeIssue[] = [];
  const { topic, msg, msg_id: id, timestamp, i, username } = value;
  if (topic !== frameTopic) issues.push({ path: 'topic', message: `differs from the topic frame ${JSON.stringify(frameTopic)}` });
  if (typeof id !== 'string' || id === '') issues.push({ path: 'msg_id', message: 'must be a non-empty string' });
  if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0)) {
    issues.push({ path: 'timestamp', message: 'must be seconds since the epoch' });
  }
  if (i !== undefined && (typeof i !== 'number' || !Number.isSafeInteger(i))) issues.push({ path: 'i', message: 'must be a whole number' });
  if (username !== undefined && username !== null && typeof username !== 'string') issues.push({ path: 'username', message: 'must be a string' });
  if (!isRecord(msg)) issues.push({ path: 'msg', message: 'must be a JSON object' });
  const extension = value[FEDMSG_STATBUS_KEY];
  if (extension !== undefined && !isRecord(extension)) issues.push({ path: FEDMSG_STATBUS_KEY, message: 'must be an object' });
  if (issues.length > 0) throw new EnvelopeError(issues);
  const statbus = extension as StatbusExtension | undefined;
  const headers: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    if (OWN_KEYS.has(key) || field === undefined) continue;
    headers[`${FEDMSG_HEADER_PREFIX}${key}`] = typeof field === 'string' ? field : JSON.stringify(field);
  }
  // A time finer than milliseconds (older fedmsg sent `time.time()`) is kept as sent: a fedmsg signature covers it.
  if (typeof timestamp === 'number' && !Number.isInteger(timestamp * 1000)) headers[`${FEDMSG_HEADER_PREFIX}timestamp`] = String(timestamp);
  if (isRecord(statbus?.headers)) Object.assign(headers, statbus.headers);
  const seq = typeof i === 'number' && i >= 1 ? i : 1;
  const numbered = statbus !== undefined && typeof statbus.instance === 'string' && typeof i === 'number' && i >= 1;
  const envelope = createEnvelope({
    id: id as string,
    topic: topic as string,
    time: typeof timestamp === 'number' ? Math.round(timestamp * 1000) : receivedAt,
    producer: {
      name: typeof username === 'string' && username !== '' ? username : 'fedmsg',
      host: typeof statbus?.host === 'string' ? statbus.host : '',
      pid: typeof statbus?.pid === 'number' ? statbus.pid : 0,
      instance: typeof statbus?.instance === 'string' ? statbus.instance : FEDMSG_INSTANCE,
    },
    seq,
    headers,
    body: msg as JsonObject,
    ...(typeof statbus?.signature === 'string' ? { signature: statbus.signature } : {}),
  });
  return { envelope, numbered };
}

/**
 * Reads the JSON frame of a fedmsg message.
 *
 * @throws {CodecError} over `maxMessageBytes`, or for bytes that are not UTF-8 JSON.
 * @throws {EnvelopeError} for JSON that is not a fedmsg message (see {@link fedmsgToEnvelope}).
 */
export function decodeFedmsg(frameTopic: string, bytes: Buffer, maxMessageBytes: number): FedmsgRead {
  assertMessageSize(bytes.length, { maxMessageBytes });
  let value: unknown;
  try {
    const text = UTF8.decode(bytes);
    // Refused before parsing, as statbus's own envelopes are (the body, `msg`, is one level below the frame's object).
    if (jsonTextDepthExceeds(text, MAX_BODY_DEPTH + 1)) {
      throw new CodecError('ERR_CODEC', `fedmsg message on ${JSON.stringify(frameTopic)} nests its body deeper than ${MAX_BODY_DEPTH} levels`, { size: bytes.length });
    }
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError('ERR_CODEC', `fedmsg message on ${JSON.stringify(frameTopic)} is not UTF-8 JSON`, { size: bytes.length, cause: error });
  }
  if (!isFedmsgMessage(value)) throw new EnvelopeError([{ path: '(fedmsg)', message: 'not a fedmsg message (no topic and msg)' }]);
  return fedmsgToEnvelope(frameTopic, value);
}

function headerValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The JSON object fedmsg would send for `envelope`: `topic`, `msg`, `msg_id`, `timestamp` (seconds, with the
 * milliseconds as a fraction), `i` (the seq), `username` (the producer name), the kept `fedmsg_*` headers
 * under their own keys, and statbus's key unless the message carries a fedmsg signature.
 */
export function envelopeToFedmsg(envelope: Envelope): JsonObject {
  const message: JsonRecord = {
    topic: envelope.topic,
    msg: envelope.body,
    msg_id: envelope.id,
    timestamp: envelope.time / 1000,
    i: envelope.seq,
    username: envelope.producer.name,
  };
  const rest: Record<string, string> = {};
  let signed = false;
  for (const [name, value] of Object.entries(envelope.headers)) {
    const key = name.startsWith(FEDMSG_HEADER_PREFIX) ? name.slice(FEDMSG_HEADER_PREFIX.length) : undefined;
    if (key === 'timestamp' && Number.isFinite(Number(value))) {
      message['timestamp'] = Number(value);
      continue;
    }
    if (key === undefined || key === '' || OWN_KEYS.has(key)) {
      rest[name] = value;
      continue;
    }
    // `crypto` is fedmsg's name of the signing backend; with `signature` it covers every key of the message.
    if (SIGNATURE_KEYS.has(key)) signed = true;
    message[key] = key === 'crypto' || SIGNATURE_KEYS.has(key) ? value : headerValue(value);
  }
  if (!signed) {
    const { host, pid, instance } = envelope.producer;
    message[FEDMSG_STATBUS_KEY] = {
      host,
      pid,
      instance,
      ...(Object.keys(rest).length === 0 ? {} : { headers: rest }),
      ...(envelope.signature === undefined ? {} : { signature: envelope.signature }),
    };
  }
  return message as JsonObject;
}

/**
 * fedmsg's two frames for `envelope`: the topic, then the JSON of {@link envelopeToFedmsg}.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when the JSON is over `maxMessageBytes`.
 */
export function encodeFedmsgFrames(envelope: Envelope, maxMessageBytes: number): [string, Buffer] {
  const json = Buffer.from(JSON.stringify(envelopeToFedmsg(envelope)), 'utf8');
  assertMessageSize(json.length, { maxMessageBytes });
  return [envelope.topic, json];
}
