import { QueryError } from '@statbus/core';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/u;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/u;

/**
 * A datagrepper time (`start`, `end`): epoch seconds, possibly fractional, or an ISO 8601 date or date-time
 * (UTC when it names no offset). Returns milliseconds.
 *
 * @throws {QueryError} naming `parameter` for anything else.
 */
export function parseTime(parameter: string, value: string): number {
  const text = value.trim();
  if (NUMBER.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new QueryError(parameter, `out of range: ${JSON.stringify(value)}`);
    return ms;
  }
  if (ISO_8601.test(text)) {
    const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/u.test(text) || text.length === 10 ? text : `${text}Z`;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  throw new QueryError(parameter, `not a time: ${JSON.stringify(value.slice(0, 64))}; give epoch seconds (e.g. 1700000000.5) or ISO 8601 (e.g. 2024-01-31T12:00:00Z)`);
}

/**
 * A datagrepper `delta`: a positive number of seconds, possibly fractional. Returns milliseconds.
 *
 * @throws {QueryError} naming `delta` for anything else.
 */
export function parseDelta(value: string): number {
  const text = value.trim();
  const ms = NUMBER.test(text) ? Math.round(Number(text) * 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new QueryError('delta', `must be a positive number of seconds, got ${JSON.stringify(value.slice(0, 64))}`);
  return ms;
}
