import {
  EnvelopeError,
  HEADER_AGENT,
  HEADER_PACKAGES,
  HEADER_SCHEMA,
  HEADER_SEVERITY,
  HEADER_USERNAMES,
  SEVERITIES,
  type HeaderHints,
  type Severity,
} from '@statbus/core';
import type { PublishOptions } from './publish-options.js';

function list(field: string, values: readonly unknown[]): string {
  if (!Array.isArray(values)) throw new EnvelopeError([{ path: `headers.${field}`, message: 'must be a list of strings' }]);
  const items = new Set<string>();
  values.forEach((value, index) => {
    if (typeof value !== 'string') throw new EnvelopeError([{ path: `headers.${field}.${index}`, message: 'must be a string' }]);
    const item = value.trim();
    // The header is comma-separated: a comma inside a name would split it into two names.
    if (item.includes(',')) throw new EnvelopeError([{ path: `headers.${field}.${index}`, message: 'cannot hold a comma' }]);
    if (item !== '') items.add(item);
  });
  return [...items].join(',');
}

function severity(value: unknown): Severity {
  if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new EnvelopeError([{ path: `headers.${HEADER_SEVERITY}`, message: `must be one of ${SEVERITIES.join(', ')}` }]);
}

/**
 * The headers of a message: free `headers`, then what the extractor found, then explicit options, then
 * the schema name. Lists are de-duplicated and comma-joined; empty values are left out.
 *
 * @throws {EnvelopeError} for a list holding something other than strings or a comma, or an unknown severity.
 */
export function buildHeaders(options: PublishOptions, extracted: HeaderHints | undefined, schema: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  const hints: HeaderHints = { ...extracted, ...definedOnly(options) };
  if (hints.usernames !== undefined) headers[HEADER_USERNAMES] = list(HEADER_USERNAMES, hints.usernames);
  if (hints.packages !== undefined) headers[HEADER_PACKAGES] = list(HEADER_PACKAGES, hints.packages);
  if (hints.agent !== undefined) {
    if (typeof hints.agent !== 'string') throw new EnvelopeError([{ path: `headers.${HEADER_AGENT}`, message: 'must be a string' }]);
    headers[HEADER_AGENT] = hints.agent.trim();
  }
  if (hints.severity !== undefined) headers[HEADER_SEVERITY] = severity(hints.severity);
  if (schema !== undefined) headers[HEADER_SCHEMA] = schema;
  for (const [key, value] of Object.entries(headers)) if (value === '') delete headers[key];
  return headers;
}

function definedOnly(options: PublishOptions): HeaderHints {
  const picked: { -readonly [K in keyof HeaderHints]: HeaderHints[K] } = {};
  if (options.usernames !== undefined) picked.usernames = options.usernames;
  if (options.packages !== undefined) picked.packages = options.packages;
  if (options.agent !== undefined) picked.agent = options.agent;
  if (options.severity !== undefined) picked.severity = options.severity;
  return picked;
}
