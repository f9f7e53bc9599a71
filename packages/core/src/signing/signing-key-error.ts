import { StatbusError } from '../errors/statbus-error.js';

/** A signing key that cannot be made, read or used: a missing or unreadable file, a wrong key type, a bad name. */
export class SigningKeyError extends StatbusError {
  /** The key file concerned, when there is one. */
  readonly path: string | undefined;

  constructor(message: string, options?: { path?: string; cause?: unknown }) {
    super('ERR_CONFIG', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = options?.path;
  }
}
