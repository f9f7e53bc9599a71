import { z } from 'zod';
import { MAX_TOPIC_BYTES, isValidTopic } from '../topic/topic-grammar.js';
import type { JsonObject, JsonValue } from './envelope.js';

/** Longest message id accepted. */
export const MAX_ID_LENGTH = 128;

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number().refine(Number.isFinite, 'must be a finite number'), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const jsonObject: z.ZodType<JsonObject> = z.record(z.string(), jsonValue);

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const envelopeFields = {
  id: z
    .string()
    .min(1, 'cannot be empty')
    .max(MAX_ID_LENGTH, `longer than ${MAX_ID_LENGTH} characters`)
    .regex(/^[^\s]+$/u, 'cannot hold white space'),
  topic: z
    .string()
    .max(MAX_TOPIC_BYTES, `longer than ${MAX_TOPIC_BYTES} characters`)
    .refine(isValidTopic, 'not a valid topic (non-empty dot-separated words, no wildcards, no white space)'),
  time: z.number().int('must be whole milliseconds since the epoch').nonnegative(),
  producer: z.strictObject({
    name: z.string().min(1, 'cannot be empty'),
    host: z.string(),
    pid: z.number().int().nonnegative(),
    instance: z.string().min(1, 'cannot be empty'),
  }),
  seq: z.number().int('must be a whole number').min(1, 'counts from 1'),
  headers: z.record(z.string(), z.string()),
  body: jsonObject,
  signature: z.string().min(1).optional(),
};

/** The zod schema of {@link Envelope}; strict: unknown top-level fields are refused, the body is checked deeply. */
export const envelopeSchema = z.strictObject(envelopeFields);

/**
 * The same, for values that came out of `JSON.parse`: their body can only hold JSON values, so only its
 * being an object is checked (a deep walk per received message would cost more than the parse).
 */
export const parsedEnvelopeSchema = z.strictObject({
  ...envelopeFields,
  body: z.custom<JsonObject>(isPlainObject, 'must be a JSON object'),
});
