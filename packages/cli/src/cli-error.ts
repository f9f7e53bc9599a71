/** A command-line mistake found while running a command (a bad regular expression, an unreadable file…): printed without a stack, exit 1. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}
