import { HEADER_REPLAYED, type Envelope, type JsonValue } from '../envelope/envelope.js';

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
 * Independent of key order, so a re-encoded envelope still verifies. The
 * {@link HEADER_REPLAYED} header is left out, so that a replayed message still verifies.
 */
export function signingBytes(envelope: Envelope): Buffer {
  const { signature: _signature, ...unsigned } = envelope;
  if (HEADER_REPLAYED in envelope.headers) {
    // A replay marks the original message; the original signature still covers everything it said.
    const { [HEADER_REPLAYED]: _replayed, ...headers } = envelope.headers;
    return Buffer.from(canonicalJson({ ...unsigned, headers } as unknown as JsonValue), 'utf8');
  }
  return Buffer.from(canonicalJson(unsigned as unknown as JsonValue), 'utf8');
}
