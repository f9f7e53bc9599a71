import { createHash } from 'node:crypto';
import { QueryError, canonicalJson, type MessageQuery } from '@statbus/core';

/** Where a keyset page starts: after the message `(time, id)`, in the query's order. */
export interface KeysetPosition {
  readonly time: number;
  readonly id: string;
  /** The 1-based number of the page this cursor opens. */
  readonly page: number;
  /** The time window the walk started with, kept so that a `delta` window does not slide between pages. */
  readonly window: { readonly start?: number; readonly end?: number };
}

interface CursorPayload {
  v: 1;
  t: number;
  i: string;
  p: number;
  h: string;
  s?: number;
  e?: number;
}

const PAGING_FIELDS = new Set(['page', 'rowsPerPage', 'cursor']);

/** Fingerprints kept by the canonical text of what they hash: the same filter sets come back page after page. */
const FINGERPRINTS_KEPT = 1024;
const fingerprints = new Map<string, string>();

/**
 * A short hash of what a query selects and how it orders it (everything but paging), so that a cursor
 * given back with other filters is refused instead of silently returning a wrong page.
 */
export function queryFingerprint(query: MessageQuery): string {
  const selecting = Object.fromEntries(
    Object.entries(query).filter(([key, value]) => !PAGING_FIELDS.has(key) && value !== undefined),
  );
  if (selecting['order'] === undefined) selecting['order'] = 'desc';
  const text = canonicalJson(selecting);
  let fingerprint = fingerprints.get(text);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256').update(text).digest('base64url').slice(0, 16);
    if (fingerprints.size >= FINGERPRINTS_KEPT) fingerprints.clear();
    fingerprints.set(text, fingerprint);
  }
  return fingerprint;
}

/** Encodes the opaque `nextCursor` of a page: base64url JSON of the last `(time, id)`, page and fingerprint. */
export function encodeCursor(query: MessageQuery, position: KeysetPosition): string {
  const payload: CursorPayload = { v: 1, t: position.time, i: position.id, p: position.page, h: queryFingerprint(query) };
  if (position.window.start !== undefined) payload.s = position.window.start;
  if (position.window.end !== undefined) payload.e = position.window.end;
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function parsePayload(cursor: string): CursorPayload | undefined {
  if (!/^[A-Za-z0-9_-]+$/u.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const payload = value as Partial<Record<keyof CursorPayload, unknown>>;
  if (payload.v !== 1 || !isInteger(payload.t) || typeof payload.i !== 'string' || payload.i === '') return undefined;
  if (!isInteger(payload.p) || payload.p < 1 || typeof payload.h !== 'string') return undefined;
  if (payload.s !== undefined && !isInteger(payload.s)) return undefined;
  if (payload.e !== undefined && !isInteger(payload.e)) return undefined;
  return payload as CursorPayload;
}

/**
 * Decodes `query.cursor`.
 *
 * @throws {QueryError} naming `cursor` when it is malformed or was made by a query with other filters or order.
 */
export function decodeCursor(query: MessageQuery & { cursor: string }): KeysetPosition {
  const payload = parsePayload(query.cursor);
  if (payload === undefined) throw new QueryError('cursor', 'malformed cursor (pass back, unchanged, the cursor a page gave: nextCursor, or next_cursor over HTTP)');
  if (payload.h !== queryFingerprint(query)) {
    throw new QueryError('cursor', 'this cursor belongs to a query with other filters or order');
  }
  return {
    time: payload.t,
    id: payload.i,
    page: payload.p,
    window: { ...(payload.s === undefined ? {} : { start: payload.s }), ...(payload.e === undefined ? {} : { end: payload.e }) },
  };
}
