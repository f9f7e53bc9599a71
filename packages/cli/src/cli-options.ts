import { CliError } from './cli-error.js';

/** Commander's accumulator for a repeatable option: `--topic a --topic b` gives `['a', 'b']`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses `--port`: a whole number from 0 (a free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}
