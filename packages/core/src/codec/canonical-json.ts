import type { Envelope, JsonValue } from '../envelope/envelope.js';

function canonical(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] as JsonValue)}`).join(',')}}`;
}

/** JSON with object keys sorted at every depth and no white space: the same bytes for the same value. */
export function canonicalJson(value: JsonValue): string {
  return canonical(value);
}

/**
 * The bytes a signature covers: the canonical JSON of the envelope without its `signature` field.
 * Independent of key order, so a re-encoded envelope still verifies.
 */
export function signingBytes(envelope: Envelope): Buffer {
  const { signature: _signature, ...unsigned } = envelope;
  return Buffer.from(canonicalJson(unsigned as unknown as JsonValue), 'utf8');
}
