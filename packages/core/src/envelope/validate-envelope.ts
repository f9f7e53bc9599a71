import type { z } from 'zod';
import { EnvelopeError, type EnvelopeIssue } from '../errors/envelope-error.js';
import type { Envelope } from './envelope.js';
import { envelopeSchema, parsedEnvelopeSchema } from './envelope-schema.js';
import { MAX_BODY_DEPTH, jsonDepthExceeds } from './json-depth.js';

function toIssues(error: z.ZodError): EnvelopeIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
  }));
}

/** The outcome of {@link checkEnvelope}. */
export type EnvelopeCheck = { readonly ok: true; readonly envelope: Envelope } | { readonly ok: false; readonly error: EnvelopeError };

/**
 * Validates an untrusted value as an envelope without throwing. Pass `{ fromJson: true }` for a value that
 * `JSON.parse` produced: its body is then only checked to be an object, since it cannot hold anything but JSON.
 */
export function checkEnvelope(value: unknown, options?: { fromJson?: boolean }): EnvelopeCheck {
  // Before the schema, whose recursive walk would overflow the stack on a body nested thousands deep.
  if (typeof value === 'object' && value !== null && jsonDepthExceeds((value as { body?: unknown }).body, MAX_BODY_DEPTH)) {
    return { ok: false, error: new EnvelopeError([{ path: 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]) };
  }
  const schema = options?.fromJson === true ? parsedEnvelopeSchema : envelopeSchema;
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, envelope: result.data };
  return { ok: false, error: new EnvelopeError(toIssues(result.error)) };
}

/**
 * Validates an untrusted value (a decoded frame, an imported record) as an envelope.
 *
 * @returns the envelope, with nothing added or coerced.
 * @throws {EnvelopeError} listing every missing or wrongly typed field.
 */
export function validateEnvelope(value: unknown, options?: { fromJson?: boolean }): Envelope {
  const check = checkEnvelope(value, options);
  if (!check.ok) throw check.error;
  return check.envelope;
}
