import { MAX_ID_LENGTH } from './envelope-schema.js';
import { isValidTopic } from '../topic/topic-grammar.js';
import type { Envelope } from './envelope.js';

const NO_SPACE = /^\S+$/u;
const TOPIC_CACHE_SIZE = 4096;
const validTopics = new Set<string>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// The envelope's own keys, compared one by one (what JSON.parse gives back, in any order): cheaper than hashing each.
function hasOnlyEnvelopeFields(value: Record<string, unknown>): boolean {
  for (const key in value) {
    switch (key) {
      case 'id':
      case 'topic':
      case 'time':
      case 'producer':
      case 'seq':
      case 'headers':
      case 'body':
      case 'signature':
        continue;
      default:
        return false;
    }
  }
  return true;
}

function hasOnlyProducerFields(value: Record<string, unknown>): boolean {
  for (const key in value) {
    switch (key) {
      case 'name':
      case 'host':
      case 'pid':
      case 'instance':
        continue;
      default:
        return false;
    }
  }
  return true;
}

let lastValidTopic = '';

// Topics repeat heavily on a bus: remember the valid ones (bounded) instead of re-checking each word. The
// last one is compared first: a string fresh from JSON.parse has no hash yet, and comparing it with an equal
// one is cheaper than hashing it.
function topicOk(topic: unknown): boolean {
  if (typeof topic !== 'string') return false;
  if (topic === lastValidTopic && topic !== '') return true;
  if (!validTopics.has(topic)) {
    if (!isValidTopic(topic)) return false;
    if (validTopics.size >= TOPIC_CACHE_SIZE) validTopics.clear();
    validTopics.add(topic);
  }
  lastValidTopic = topic;
  return true;
}

/**
 * The hot-path check of a value from `JSON.parse`: true when it is a valid envelope by exactly the rules
 * of the zod schema (which still produces the error messages when this says false). Unlike the schema it
 * builds no copy and collects no issues, which matters on the path every received message takes.
 */
export function isParsedEnvelope(value: unknown): value is Envelope {
  if (!isPlainObject(value) || !hasOnlyEnvelopeFields(value)) return false;
  const { id, time, producer, seq, headers, body, signature } = value;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || !NO_SPACE.test(id)) return false;
  if (!topicOk(value['topic'])) return false;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) return false;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return false;
  if (!isPlainObject(producer) || !hasOnlyProducerFields(producer)) return false;
  const { name, host, pid, instance } = producer;
  if (typeof name !== 'string' || name.length === 0 || typeof host !== 'string' || typeof instance !== 'string' || instance.length === 0) return false;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 0) return false;
  if (!isPlainObject(headers)) return false;
  for (const key in headers) if (typeof headers[key] !== 'string') return false;
  if (!isPlainObject(body)) return false;
  return signature === undefined || (typeof signature === 'string' && signature.length > 0);
}

/** Nesting deeper than this is left to the zod schema (which also words the error of a cycle). */
const MAX_BODY_DEPTH = 64;

function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_BODY_DEPTH) return false;
      if (!Array.isArray(value)) return isJsonRecord(value, depth);
      if (Object.getPrototypeOf(value) !== Array.prototype) return false;
      for (let index = 0; index < value.length; index += 1) if (!isJsonValue(value[index], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

function isJsonRecord(value: object, depth: number): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  // zod's records refuse symbol keys and leave out a `__proto__` key: both are left to it.
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key in value) {
    if (key === '__proto__' || !isJsonValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * The hot-path check of an envelope built in this process (not parsed from JSON): {@link isParsedEnvelope}
 * plus a walk of the body and headers through plain JSON values only. True only for what the zod schema
 * accepts as it is; anything else (including what zod would accept after leaving something out) is left to
 * the schema, which also words the errors. Like {@link isParsedEnvelope}, it builds no copy of what it checks.
 */
export function isBuiltEnvelope(value: unknown): value is Envelope {
  if (!isParsedEnvelope(value)) return false;
  const { headers } = value;
  if (Object.getOwnPropertySymbols(headers).length > 0 || Object.hasOwn(headers, '__proto__')) return false;
  return isJsonRecord(value.body, 0);
}
