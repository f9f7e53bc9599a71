import { CodecError } from '../errors/codec-error.js';
import type { Envelope } from '../envelope/envelope.js';
import { isParsedEnvelope } from '../envelope/fast-envelope-check.js';
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

const CANONICAL_FIELDS = ['id', 'topic', 'time', 'producer', 'seq', 'headers', 'body'] as const;

// An envelope built by `createEnvelope` or decoded from the wire already has its fields in canonical order:
// stringifying it as it is spares a copy of the object per message.
function inCanonicalOrder(envelope: Envelope): boolean {
  const proto = Object.getPrototypeOf(envelope) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  let index = 0;
  for (const key in envelope) {
    if (index < CANONICAL_FIELDS.length ? key !== CANONICAL_FIELDS[index] : index !== CANONICAL_FIELDS.length || key !== 'signature') return false;
    index += 1;
  }
  return index >= CANONICAL_FIELDS.length;
}

/**
 * The canonical JSON text of an envelope: fields in the order `id, topic, time, producer, seq, headers,
 * body, signature`, unknown fields left out. {@link encodeEnvelope} is its UTF-8 encoding.
 */
export function envelopeJson(envelope: Envelope): string {
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
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` when the result is over the limit.
 */
export function encodeEnvelope(envelope: Envelope, options?: CodecOptions): Buffer {
  const bytes = Buffer.from(envelopeJson(envelope), 'utf8');
  assertMessageSize(bytes.length, options);
  return bytes;
}

/**
 * Decodes wire bytes into a validated envelope. Nothing is half-used: either the whole envelope is
 * valid or the call throws.
 *
 * @throws {CodecError} `ERR_MESSAGE_TOO_LARGE` over the limit (checked before parsing), `ERR_CODEC` for
 *   bytes that are not UTF-8 JSON.
 * @throws {EnvelopeError} for JSON that is not a valid envelope.
 */
export function decodeEnvelope(bytes: Uint8Array, options?: CodecOptions): Envelope {
  const limit = options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (bytes.length > limit) throw tooLarge(bytes.length, limit);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    const preview = Buffer.from(bytes.subarray(0, 40)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new CodecError('ERR_CODEC', `Message of ${bytes.length} bytes is not UTF-8 JSON (starts with ${JSON.stringify(preview)})`, {
      size: bytes.length,
      cause: error,
    });
  }
  if (isParsedEnvelope(value)) return value;
  return validateEnvelope(value, { fromJson: true });
}
