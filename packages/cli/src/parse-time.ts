import { CliError } from './cli-error.js';

/** A time given on the command line: epoch seconds (fractions allowed, as datagrepper) or ISO 8601. Returns ms. */
export function parseTime(flag: string, value: string): number {
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  const ms = Date.parse(value);
  if (Number.isFinite(ms)) return ms;
  throw new CliError(`${flag} ${JSON.stringify(value)} is not a time: give epoch seconds or ISO 8601 (2026-01-31T12:00:00Z)`, { exitCode: 2 });
}
