/**
 * A command-line failure found while running a command (a bad regular expression, an unreadable file, a
 * halted hub…): printed without a stack; the process exits with `exitCode` (default 1).
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = options?.exitCode ?? 1;
  }
}
