import { StatbusError } from './statbus-error.js';

/**
 * A transport operation that failed: `ERR_CONNECTION` (cannot reach the bus; names the address),
 * `ERR_NOT_CONNECTED` (publish or subscribe before `connect()`), `ERR_CLOSED` (used after `close()`),
 * `ERR_PUBLISH` (the message was not accepted), `ERR_SUBSCRIBE`.
 */
export class TransportError extends StatbusError {
  /** The endpoint or URL concerned (credentials removed), when there is one. */
  readonly address: string | undefined;

  constructor(
    code: 'ERR_CONNECTION' | 'ERR_NOT_CONNECTED' | 'ERR_CLOSED' | 'ERR_PUBLISH' | 'ERR_SUBSCRIBE',
    message: string,
    options?: { address?: string; cause?: unknown },
  ) {
    super(code, message, { cause: options?.cause });
    this.address = options?.address;
  }
}
