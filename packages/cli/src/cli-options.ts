import { CliError } from './cli-error.js';

/** Commander's accumulator for a repeatable option: `--topic a --topic b` gives `['a', 'b']`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A parser for a flag that takes a whole number from `min` to `max`; the error names `flag`. */
export function integerParser(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`, { exitCode: 2 });
    return number;
  };
}

/** A parser for a port flag: a whole number from 0 (a free port) to 65535; the error names `flag`. */
export function portParser(flag: string): (value: string) => number {
  return integerParser(flag, 0, 65_535);
}

/** Parses `--port`: a whole number from 0 (a free port) to 65535. */
export const parsePort = portParser('--port');

/** A parser for a flag that takes a positive number; the error names `flag`. */
export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new CliError(`${flag} must be a positive number, got ${JSON.stringify(value)}`, { exitCode: 2 });
    return number;
  };
}
