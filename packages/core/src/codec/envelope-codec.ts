import { isAscii } from 'node:buffer';
import { CodecError } from '../errors/codec-error.js';
import type { Envelope } from '../envelope/envelope.js';
import { isParsedEnvelope } from '../envelope/fast-envelope-check.js';
import { MAX_BODY_DEPTH, jsonTextDepthExceeds } from '../envelope/json-depth.js';
import { validateEnvelope } from '../envelope/validate-envelope.js';

/** Default largest encoded message, in bytes (1 MiB); `codec.max_message_bytes` in config. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Options of {@link encodeEnvelope} and {@link decodeEnvelope}. */
export interface CodecOptions {
  /** Largest accepted encoded size in bytes; default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  readonly maxMessageBytes?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function tooLarge(size: number, limit: number): CodecError {
  return new CodecError('ERR_MESSAGE_TOO_LARGE', `Message of ${size} bytes is over the limit of ${limit} bytes`, { size, limit });
}

function notJson(bytes: Uint8Array, offset: number, size: number, cause: unknown): CodecError {
  const preview = Buffer.from(bytes.buffer, bytes.byteOffset + offset, Math.min(40, size)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return new CodecError('ERR_CODEC', `Message of ${size} bytes is not UTF-8 JSON (starts with ${JSON.stringify(preview)})`, { size, cause });
}

function tooDeep(size: number): CodecError {
  return new CodecError('ERR_CODEC', `Message of ${size} bytes nests its body deeper than ${MAX_BODY_DEPTH} levels`, { size });
}

const CANONICAL_FIELDS = ['id', 'topic', 'time', 'producer', 'seq', 'headers', 'body'] as const;
const PRODUCER_FIELDS = ['name', 'host', 'pid', 'instance'] as const;

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// An envelope built by `createEnvelope` or decoded from the wire already has its fields in canonical order.
function inCanonicalOrder(envelope: Envelope): boolean {
  if (!isPlain(envelope)) return false;
  let index = 0;
  for (const key in envelope) {
    if (index < CANONICAL_FIELDS.length ? key !== CANONICAL_FIELDS[index] : index !== CANONICAL_FIELDS.length || key !== 'signature') return false;
    index += 1;
  }
  return index >= CANONICAL_FIELDS.length;
}

// Whatever JSON.stringify would escape or refuse to pass through as it is: `"`, `\`, control characters, lone surrogates.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/u;
const SHORT_STRING = 256;

/** `JSON.stringify(text)` for a string; a short clean one (an id, a name, a topic) skips the stringifier. */
function jsonString(text: string): string {
  return text.length <= SHORT_STRING && !NEEDS_ESCAPE.test(text) ? `"${text}"` : JSON.stringify(text);
}

function isWhole(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/** The producer identity's JSON, remembered for the last field values seen (a process has one producer or a few). */
let lastProducer: { readonly name: string; readonly host: string; readonly pid: number; readonly instance: string; readonly json: string } | undefined;

function producerJson(producer: unknown): string | undefined {
  if (!isPlain(producer)) return undefined;
  const last = lastProducer;
  let index = 0;
  for (const key in producer) {
    if (key !== PRODUCER_FIELDS[index]) return undefined;
    index += 1;
  }
  if (index !== PRODUCER_FIELDS.length) return undefined;
  const { name, host, pid, instance } = producer;
  if (last !== undefined && last.name === name && last.host === host && last.pid === pid && last.instance === instance) return last.json;
  if (typeof name !== 'string' || typeof host !== 'string' || !isWhole(pid) || typeof instance !== 'string') return undefined;
  const json = `{"name":${jsonString(name)},"host":${jsonString(host)},"pid":${pid},"instance":${jsonString(instance)}}`;
  lastProducer = { name, host, pid, instance, json };
  return json;
}

/** Strings at least this long are checked by {@link needsEscape} instead of going through the stringifier. */
const LONG_STRING = 64;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/** `String.prototype.isWellFormed`: ES2024, in Node 20; the project's TypeScript lib is ES2023. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/**
 * {@link NEEDS_ESCAPE}'s test for a long string, in four native searches instead of one: `includes` of one
 * character is a vectorised search, a regular expression of one range takes a simpler scanning loop than
 * one of a class of several, and `isWellFormed` (no lone surrogate) costs nothing for a string of one-byte characters.
 */
function needsEscape(text: string): boolean {
  return text.includes('"') || text.includes('\\') || CONTROL_CHARACTER.test(text) || !(text as unknown as WellFormedCheck).isWellFormed();
}

/**
 * Appends `JSON.stringify(body)` to the JSON text being built in `parts`, whose last, unfinished piece is
 * `text`; returns the new unfinished piece. Long top-level strings of the body (a comment, a log line, a
 * payload) are written after one regular-expression scan, since Node 20's stringifier copies a string
 * character by character, checking each, where the scan is one native search, and each becomes a part of its own so that
 * it is copied only once, into the message's bytes. Everything else at the top level, and all that is
 * nested, is still stringified natively; a value with its own `toJSON` sends the whole body there.
 */
function appendBody(body: Record<string, unknown>, parts: string[], text: string): string {
  const start = parts.length;
  let json = text;
  let first = true;
  for (const key of Object.keys(body)) {
    const value = body[key];
    let valueJson: string | undefined;
    if (typeof value === 'string') {
      if (value.length >= LONG_STRING && !needsEscape(value)) {
        parts.push(`${json}${first ? '{' : ','}${jsonString(key)}:"`, value);
        json = '"';
        first = false;
        continue;
      }
      valueJson = JSON.stringify(value);
    } else if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      parts.length = start;
      return `${text}${JSON.stringify(body)}`;
    } else {
      valueJson = JSON.stringify(value);
      if (valueJson === undefined) continue;
    }
    json += `${first ? '{' : ','}${jsonString(key)}:${valueJson}`;
    first = false;
  }
  return first ? `${json}{}` : `${json}}`;
}

/** `JSON.stringify(body)` for a plain object, built as {@link envelopeJson} builds bodies. */
export function bodyJson(body: Record<string, unknown>): string {
  const parts: string[] = [];
  parts.push(appendBody(body, parts, ''));
  return parts.join('');
}

function headersJson(headers: unknown): string | undefined {
  if (!isPlain(headers)) return undefined;
  for (const _key in headers) return JSON.stringify(headers);
  return '{}';
}

/**
 * The canonical JSON of an envelope whose fields are all of their usual kinds, written field by field: the
 * same text as `JSON.stringify` of the ordered fields, for about half its cost (the stringifier's per-object
 * work dominates for the small fields), in parts (see {@link appendBody}). `undefined` for anything unusual,
 * which takes the generic path.
 */
function writtenEnvelopeParts(envelope: Envelope): string[] | undefined {
  if (!isPlain(envelope)) return undefined;
  const { id, topic, time, seq, body, signature } = envelope;
  if (typeof id !== 'string' || typeof topic !== 'string' || !isWhole(time) || !isWhole(seq) || !isPlain(body)) return undefined;
  if (signature !== undefined && typeof signature !== 'string') return undefined;
  const producer = producerJson(envelope.producer);
  const headers = headersJson(envelope.headers);
  if (producer === undefined || headers === undefined) return undefined;
  const parts: string[] = [];
  const head = `{"id":${jsonString(id)},"topic":${jsonString(topic)},"time":${time},"producer":${producer},"seq":${seq},"headers":${headers},"body":`;
  const rest = appendBody(body, parts, head);
  parts.push(signature === undefined ? `${rest}}` : `${rest},"signature":${jsonString(signature)}}`);
  return parts;
}

function genericEnvelopeJson(envelope: Envelope): string {
  if (inCanonicalOrder(envelope)) return JSON.stringify(envelope);
  const ordered: Record<string, unknown> = {
    id: envelope.id,
    topic: envelope.topic,
    time: envelope.time,
    producer: envelope.producer,
    seq: envelope.seq,
    headers: envelope.headers,
    body: envelope.body,
  };
  if (envelope.signature !== undefined) ordered['signature'] = envelope.signature;
  return JSON.stringify(ordered);
}

/**
 * {@link envelopeJson} as consecutive strings, long body strings apart, so that their UTF-8 can be written
 * into a buffer without first joining them (a copy of the whole message, and as much garbage).
 */
export function envelopeJsonParts(envelope: Envelope): readonly string[] {
  return writtenEnvelopeParts(envelope) ?? [genericEnvelopeJson(envelope)];
}

/**
 * The canonical JSON text of an envelope: fields in the order `id, topic, time, producer, seq, headers,
 * body, signature`, unknown fields left out. {@link encodeEnvelope} is its UTF-8 encoding.
 */
export function envelopeJson(envelope: Envelope): string {
  const parts = envelopeJsonParts(envelope);
  return parts.length === 1 ? (parts[0] as string) : parts.join('');
}

/**
 * Checks the encoded size of a message against the limit.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when `size` is over `options.maxMessageBytes`.
 */
export function assertMessageSize(size: number, options?: CodecOptions): void {
  const limit = options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (size > limit) throw tooLarge(size, limit);
}

/**
 * Encodes an envelope to its wire bytes: the UTF-8 of {@link envelopeJson}. Both transports carry these bytes.
 * With `reserve`, the buffer starts with that many bytes left for the caller to fill (a frame's head), the
 * envelope after them; the size limit applies to the envelope's bytes.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when the result is over the limit.
 */
export function encodeEnvelope(envelope: Envelope, options?: CodecOptions, reserve = 0): Buffer {
  const parts = envelopeJsonParts(envelope);
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part, 'utf8');
  assertMessageSize(size, options);
  const bytes = Buffer.allocUnsafe(reserve + size);
  let offset = reserve;
  for (const part of parts) offset += bytes.write(part, offset, 'utf8');
  return bytes;
}

/**
 * Decodes wire bytes into a validated envelope: `bytes` from `offset` to its end (so that a transport can
 * decode the envelope at the tail of a frame without making a view of it). Nothing is half-used: either
 * the whole envelope is valid or the call throws.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` over the limit (checked before parsing), `ERR_CODEC` for
 *   bytes that are not UTF-8 JSON or that nest deeper than {@link MAX_BODY_DEPTH} (also checked before parsing).
 * @throws {EnvelopeError} for JSON that is not a valid envelope.
 */
export function decodeEnvelope(bytes: Uint8Array, options?: CodecOptions, offset = 0): Envelope {
  const limit = options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const size = bytes.length - offset;
  if (size > limit) throw tooLarge(size, limit);
  let text: string;
  let value: unknown;
  try {
    text = utf8Text(bytes, offset);
  } catch (error) {
    throw notJson(bytes, offset, size, error);
  }
  // Refused before parsing: JSON.parse copes, but every recursive walk after it (schema, archive) would not.
  if (jsonTextDepthExceeds(text, MAX_BODY_DEPTH + 1)) throw tooDeep(size);
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw notJson(bytes, offset, size, error);
  }
  if (isParsedEnvelope(value)) return value;
  return validateEnvelope(value, { fromJson: true });
}

// ASCII (what almost every message is) is checked for in one native pass and read as Latin-1, the cheapest
// string there is to make; anything else goes through the fatal decoder, which refuses invalid UTF-8.
function utf8Text(bytes: Uint8Array, offset: number): string {
  if (Buffer.isBuffer(bytes) && isAscii(bytes)) return bytes.toString('latin1', offset);
  return decoder.decode(offset === 0 ? bytes : bytes.subarray(offset));
}
