import { StatbusError } from './statbus-error.js';

/** Bytes that cannot be decoded (not UTF-8 JSON), or a message over the size limit. */
export class CodecError extends StatbusError {
  /** Size of the offending message in bytes. */
  readonly size: number;
  /** The limit in force, for `ERR_MESSAGE_TOO_LARGE`. */
  readonly limit: number | undefined;

  constructor(
    code: 'ERR_CODEC' | 'ERR_MESSAGE_TOO_LARGE',
    message: string,
    details: { size: number; limit?: number; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.size = details.size;
    this.limit = details.limit;
  }
}
