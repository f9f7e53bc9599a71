import { StatbusError } from './statbus-error.js';

/** The message store failed (unreachable, locked, full); `retryable` says whether trying again may help. */
export class StoreError extends StatbusError {
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super('ERR_STORE', message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}
