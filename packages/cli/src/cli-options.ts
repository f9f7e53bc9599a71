import { CliError } from './cli-error.js';

/** Commander's accumulator for a repeatable option: `--topic a --topic b` gives `['a', 'b']`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A parser for a port flag: a whole number from 0 (a free port) to 65535; the error names `flag`. */
export function portParser(flag: string): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`${flag} must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`);
    return port;
  };
}

/** Parses `--port`: a whole number from 0 (a free port) to 65535. */
export const parsePort = portParser('--port');

/** A parser for a flag that takes a positive number; the error names `flag`. */
export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new CliError(`${flag} must be a positive number, got ${JSON.stringify(value)}`);
    return number;
  };
}
