import { createHash } from 'node:crypto';
import {
  CodecError,
  EnvelopeError,
  HEADER_PACKAGES,
  HEADER_SCHEMA,
  HEADER_SEVERITY,
  HEADER_USERNAMES,
  MAX_BODY_DEPTH,
  assertMessageSize,
  jsonTextDepthExceeds,
  createEnvelope,
  type Envelope,
  type EnvelopeIssue,
  type JsonObject,
} from '@statbus/core';
import type { Options } from 'amqplib';

/**
 * fedora-messaging's wire format (its `docs/wire-format.rst`, and what its `Message._build_properties` sets):
 * the body is the message's JSON object alone, UTF-8; properties `content_type: application/json`,
 * `content_encoding: utf-8`, `message_id` (a UUID), `delivery_mode` 2; headers `fedora_messaging_schema` (string),
 * `fedora_messaging_severity` (10, 20, 30 or 40), `sent-at` (ISO 8601 with its UTC offset, no fraction),
 * `priority`, and a marker `fedora_messaging_<object>_<id>: true` per user, rpm, container, module and flatpak
 * the message is about. The topic is the routing key.
 *
 * Envelope headers they map to: `schema`, `severity` (`debug`, `info`, `warning`, `error`), `usernames`,
 * `packages` (the rpm markers), `containers`, `modules`, `flatpaks` (comma-joined), `priority`. What statbus
 * needs and the format has no field for (producer identity, `seq`, time in milliseconds, signature) travels in
 * one extra header, `statbus_producer` (JSON), so that a statbus consumer gets back the very envelope sent;
 * other headers travel as they are.
 */
export const FM_SCHEMA = 'fedora_messaging_schema';
export const FM_SEVERITY = 'fedora_messaging_severity';
export const FM_SENT_AT = 'sent-at';
export const FM_PRIORITY = 'priority';
/** The extra header carrying a statbus envelope's producer, seq, time (ms) and signature. */
export const FM_STATBUS_PRODUCER = 'statbus_producer';
/** fedora-messaging's base message class's schema name: what a message of no declared schema is sent as. */
export const FM_DEFAULT_SCHEMA = 'base.message';

/** Marker objects and the envelope header each one's ids are listed in. */
export const FM_MARKERS = [
  { object: 'user', header: HEADER_USERNAMES },
  { object: 'rpm', header: HEADER_PACKAGES },
  { object: 'container', header: 'containers' },
  { object: 'module', header: 'modules' },
  { object: 'flatpak', header: 'flatpaks' },
] as const;

const MARKER_PREFIX = 'fedora_messaging_';
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const MARKER = /^fedora_messaging_(user|rpm|container|module|flatpak)_(.+)$/su;

const SEVERITY_NAMES: Readonly<Record<number, string>> = { 10: 'debug', 20: 'info', 30: 'warning', 40: 'error' };
const SEVERITY_LEVELS: Readonly<Record<string, number>> = { debug: 10, info: 20, warning: 30, error: 40 };

/** Headers the broker adds on its own (delivery counts, dead-lettering): not the publisher's, not kept. */
function isBrokerHeader(name: string): boolean {
  return name.startsWith('x-');
}

function tooDeep(routingKey: string, size: number): CodecError {
  return new CodecError('ERR_CODEC', `fedora-messaging message on ${JSON.stringify(routingKey)} nests its body deeper than ${MAX_BODY_DEPTH} levels`, { size });
}

/** Envelope headers that become something else than a plain AMQP header. */
const MAPPED_HEADERS = new Set<string>([HEADER_SCHEMA, HEADER_SEVERITY, FM_PRIORITY, ...FM_MARKERS.map((marker) => marker.header)]);

/** The AMQP properties of a received message that the format reads (amqplib types them `any`). */
export interface ReceivedProperties {
  readonly headers?: Readonly<Record<string, unknown>> | null | undefined;
  readonly messageId?: unknown;
  readonly timestamp?: unknown;
  readonly contentEncoding?: unknown;
  readonly contentType?: unknown;
  readonly appId?: unknown;
}

/**
 * True when a received message is in fedora-messaging's format: it carries one of the headers every
 * fedora-messaging publisher sets. statbus's own format carries none of them.
 */
export function isFedoraMessagingMessage(properties: Pick<ReceivedProperties, 'headers'>): boolean {
  const headers = properties.headers;
  if (headers === undefined || headers === null) return false;
  return headers[FM_SCHEMA] !== undefined || headers[FM_SEVERITY] !== undefined || headers[FM_SENT_AT] !== undefined;
}

interface StatbusProducerHeader {
  /** The envelope id, when `message_id` had to be another (see {@link fedoraMessageId}). */
  readonly id?: string;
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly instance: string;
  readonly seq: number;
  readonly time: number;
  readonly signature?: string;
  /** The envelope's header names: what the encoding added (defaults of the format) is left out again. */
  readonly headers?: readonly string[];
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function issue(path: string, message: string): EnvelopeIssue {
  return { path, message };
}

// A header value a fedora-messaging publisher wrote as a string arrives as a string (pika) or a Buffer (a
// long string in some clients); both are text.
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function readStatbusProducer(value: unknown, issues: EnvelopeIssue[]): StatbusProducerHeader | undefined {
  const text = textOf(value);
  if (text === undefined) {
    issues.push(issue(`headers.${FM_STATBUS_PRODUCER}`, 'must be a JSON string'));
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StatbusProducerHeader>;
    if (typeof parsed === 'object' && parsed !== null) return parsed as StatbusProducerHeader;
  } catch {
    // Reported below.
  }
  issues.push(issue(`headers.${FM_STATBUS_PRODUCER}`, 'must be a JSON object'));
  return undefined;
}

/**
 * Reads a message received in fedora-messaging's format into an envelope: id from `message_id`, topic from the
 * routing key, time from `sent-at` (else the AMQP timestamp, else `receivedAt`), headers as described on this
 * module. Lenient where fedora-messaging's own consumer is (a missing schema, severity or `sent-at`), strict
 * on types: a header of the wrong type refuses the whole message.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` over `maxMessageBytes`; `ERR_CODEC` for a body that is not UTF-8 JSON.
 * @throws {EnvelopeError} naming every header or property that is wrong (wrong type, no `message_id`, a body
 *   that is not a JSON object, a bad topic).
 */
export function decodeFedoraMessaging(
  routingKey: string,
  properties: ReceivedProperties,
  content: Buffer,
  options: { readonly maxMessageBytes: number; readonly receivedAt?: number },
): Envelope {
  assertMessageSize(content.length, { maxMessageBytes: options.maxMessageBytes });
  const issues: EnvelopeIssue[] = [];
  const encoding = properties.contentEncoding;
  if (encoding !== undefined && encoding !== null && !/^utf-?8$/iu.test(headerText(encoding))) {
    issues.push(issue('properties.content_encoding', `must be utf-8, got ${JSON.stringify(encoding)}`));
  }
  const contentType = properties.contentType;
  if (contentType !== undefined && contentType !== null && !/^application\/json\b/iu.test(headerText(contentType))) {
    issues.push(issue('properties.content_type', `must be application/json, got ${JSON.stringify(contentType)}`));
  }
  let body: unknown;
  try {
    const text = UTF8.decode(content);
    // Refused before parsing, as statbus's own envelopes are: parsing cost and every recursive walk after it grow with depth.
    if (jsonTextDepthExceeds(text, MAX_BODY_DEPTH)) throw tooDeep(routingKey, content.length);
    body = JSON.parse(text);
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError('ERR_CODEC', `fedora-messaging message on ${JSON.stringify(routingKey)} has a body that is not UTF-8 JSON`, {
      size: content.length,
      cause: error,
    });
  }
  const source = properties.headers ?? {};
  const headers: Record<string, string> = {};
  const markers = new Map<string, string[]>();
  let sentAt: number | undefined;
  let producer: StatbusProducerHeader | undefined;
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || isBrokerHeader(name)) continue;
    if (name === FM_SCHEMA) {
      const text = textOf(value);
      if (text === undefined) issues.push(issue(`headers.${FM_SCHEMA}`, 'must be a string'));
      else headers[HEADER_SCHEMA] = text;
    } else if (name === FM_SEVERITY) {
      const level = typeof value === 'number' ? SEVERITY_NAMES[value] : undefined;
      if (level === undefined) issues.push(issue(`headers.${FM_SEVERITY}`, `must be 10, 20, 30 or 40, got ${JSON.stringify(headerText(value))}`));
      else headers[HEADER_SEVERITY] = level;
    } else if (name === FM_SENT_AT) {
      const text = textOf(value);
      const time = text === undefined ? Number.NaN : Date.parse(text);
      if (text === undefined || !/^\d{4}-\d{2}-\d{2}T/u.test(text) || Number.isNaN(time)) {
        issues.push(issue(`headers.${FM_SENT_AT}`, `must be an ISO 8601 date and time, got ${JSON.stringify(headerText(value))}`));
      } else sentAt = time;
    } else if (name === FM_PRIORITY) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) issues.push(issue(`headers.${FM_PRIORITY}`, 'must be a whole number'));
      else headers[FM_PRIORITY] = String(value);
    } else if (name === FM_STATBUS_PRODUCER) {
      producer = readStatbusProducer(value, issues);
    } else if (name.startsWith(MARKER_PREFIX)) {
      const marker = MARKER.exec(name);
      if (marker === null) {
        headers[name] = headerText(value);
        continue;
      }
      // The format says a marker's value is true; fedora-messaging never reads it. Any value but false marks.
      if (value === false) continue;
      const [, object = '', id = ''] = marker;
      const ids = markers.get(object) ?? [];
      ids.push(id);
      markers.set(object, ids);
    } else {
      headers[name] = headerText(value);
    }
  }
  for (const { object, header } of FM_MARKERS) {
    const ids = markers.get(object);
    if (ids === undefined) continue;
    const clean = ids.filter((id) => !id.includes(','));
    if (clean.length !== ids.length) issues.push(issue(`headers.${MARKER_PREFIX}${object}_*`, 'an id cannot hold a comma'));
    headers[header] = [...new Set(clean)].join(',');
  }
  if (Array.isArray(producer?.headers)) {
    const names = new Set(producer.headers);
    for (const name of Object.keys(headers)) if (!names.has(name)) delete headers[name];
  }
  const id = properties.messageId;
  if (typeof id !== 'string' || id === '') issues.push(issue('properties.message_id', 'is required (fedora-messaging sets a UUID)'));
  if (issues.length > 0) throw new EnvelopeError(issues);
  const timestamp = typeof properties.timestamp === 'number' ? properties.timestamp * 1000 : undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new EnvelopeError([issue('body', 'must be a JSON object')]);
  // Built in canonical field order, and checked the cheap way when its fields are plain (else by the schema, which names what is wrong).
  return createEnvelope({
    id: typeof producer?.id === 'string' ? producer.id : (id as string),
    topic: routingKey,
    time: producer?.time ?? sentAt ?? timestamp ?? options.receivedAt ?? Date.now(),
    producer: {
      // Without statbus's header a message names no producer instance and has no sequence: named as `db import` names them.
      name: producer?.name ?? (nonEmpty(properties.appId) ?? headers[HEADER_SCHEMA] ?? 'fedora-messaging'),
      host: producer?.host ?? '',
      pid: producer?.pid ?? 0,
      instance: producer?.instance ?? 'fedora-messaging',
    },
    seq: producer?.seq ?? 1,
    headers,
    body: body as JsonObject,
    ...(producer?.signature === undefined ? {} : { signature: producer.signature }),
  });
}

/** What one envelope is sent as in fedora-messaging's format. */
export interface FedoraMessagingPublish {
  readonly bytes: Buffer;
  readonly options: Options.Publish;
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

/**
 * The `message_id` of an envelope: the format requires a version 4 UUID. An id that is one (a message that
 * came from fedora-messaging) is kept; any other (statbus's `<year>-<uuid7>`, fedmsg's `<year>-<uuid4>`) gives
 * a version 4 UUID made from its hash, so that every send of one envelope has the same `message_id` and
 * archives that deduplicate by it keep one copy.
 */
export function fedoraMessageId(id: string): string {
  if (UUID_V4.test(id)) return id;
  const bytes = createHash('sha256').update(id, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `sent-at` as fedora-messaging writes it: UTC, whole seconds, `+00:00`. */
export function sentAtOf(time: number): string {
  return `${new Date(Math.floor(time / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/**
 * Builds the body and properties of `envelope` in fedora-messaging's format (see this module): the body is the
 * envelope's body alone, the headers and markers as listed there, priority 0 unless the `priority` header says.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when the body is over `maxMessageBytes`.
 */
export function encodeFedoraMessaging(envelope: Envelope, options: { readonly persistent: boolean; readonly maxMessageBytes: number }): FedoraMessagingPublish {
  const bytes = Buffer.from(JSON.stringify(envelope.body), 'utf8');
  assertMessageSize(bytes.length, { maxMessageBytes: options.maxMessageBytes });
  const source = envelope.headers;
  const severity = SEVERITY_LEVELS[source[HEADER_SEVERITY] ?? 'info'] ?? 20;
  const priorityText = source[FM_PRIORITY];
  const priority = priorityText !== undefined && /^\d{1,3}$/u.test(priorityText) ? Number(priorityText) : 0;
  const headers: Record<string, unknown> = {
    [FM_SCHEMA]: source[HEADER_SCHEMA] ?? FM_DEFAULT_SCHEMA,
    [FM_SENT_AT]: sentAtOf(envelope.time),
    [FM_SEVERITY]: severity,
    [FM_PRIORITY]: priority,
  };
  for (const { object, header } of FM_MARKERS) {
    for (const id of splitList(source[header])) headers[`${MARKER_PREFIX}${object}_${id}`] = true;
  }
  for (const [name, value] of Object.entries(source)) if (!MAPPED_HEADERS.has(name) && headers[name] === undefined) headers[name] = value;
  const { name, host, pid, instance } = envelope.producer;
  const messageId = fedoraMessageId(envelope.id);
  const statbus: StatbusProducerHeader = {
    ...(messageId === envelope.id ? {} : { id: envelope.id }),
    name,
    host,
    pid,
    instance,
    seq: envelope.seq,
    time: envelope.time,
    ...(envelope.signature === undefined ? {} : { signature: envelope.signature }),
    headers: Object.keys(source),
  };
  headers[FM_STATBUS_PRODUCER] = JSON.stringify(statbus);
  return {
    bytes,
    options: {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: options.persistent ? 2 : 1,
      messageId,
      priority,
      headers,
    },
  };
}
