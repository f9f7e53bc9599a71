import { QueryError, queryWindow } from '@statbus/core';
import type { RawParams } from '../params/parse-params.js';
import { parseDelta, parseTime } from '../params/parse-time.js';

function values(raw: RawParams, name: string): readonly string[] {
  const value = raw[name];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** One value of a parameter that takes one. @throws {QueryError} naming it when repeated. */
export function singleParam(raw: RawParams, name: string): string | undefined {
  const given = values(raw, name);
  if (given.length > 1) throw new QueryError(name, 'given more than once; it takes one value');
  return given[0];
}

/** Every value of a repeatable parameter. */
export function repeatedParam(raw: RawParams, name: string): readonly string[] {
  return values(raw, name);
}

/** @throws {QueryError} naming the first parameter not in `allowed`. */
export function onlyParams(raw: RawParams, allowed: readonly string[]): void {
  for (const name of Object.keys(raw)) {
    if (!allowed.includes(name)) throw new QueryError(name, `unknown parameter; this endpoint accepts ${allowed.join(', ')}`);
  }
}

/** `start`, `end`, `delta` as `/raw` reads them, resolved to a window (ms). @throws {QueryError} naming the parameter. */
export function windowParams(raw: RawParams, now: number = Date.now()): { start?: number; end?: number } {
  const start = singleParam(raw, 'start');
  const end = singleParam(raw, 'end');
  const delta = singleParam(raw, 'delta');
  const window = queryWindow(
    {
      ...(start === undefined ? {} : { start: parseTime('start', start) }),
      ...(end === undefined ? {} : { end: parseTime('end', end) }),
      ...(delta === undefined ? {} : { delta: parseDelta(delta) }),
    },
    now,
  );
  if (window.start !== undefined && window.end !== undefined && window.end < window.start) throw new QueryError('end', 'is before start');
  return window;
}

/** A whole number from 1 to `max`. @throws {QueryError} naming it. */
export function countParam(raw: RawParams, name: string, max: number): number | undefined {
  const value = singleParam(raw, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/u.test(value.trim()) || Number(value) < 1 || Number(value) > max) throw new QueryError(name, `must be a whole number from 1 to ${max}, got ${JSON.stringify(value.slice(0, 32))}`);
  return Number(value);
}
