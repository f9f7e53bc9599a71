/**
 * Machine-readable codes carried by every {@link StatbusError}. Stable: callers switch on them.
 */
export type StatbusErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_TOPIC'
  | 'ERR_PATTERN'
  | 'ERR_ENVELOPE'
  | 'ERR_CODEC'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_CONNECTION'
  | 'ERR_CLOSED'
  | 'ERR_PUBLISH'
  | 'ERR_SUBSCRIBE'
  | 'ERR_QUERY'
  | 'ERR_STORE'
  | 'ERR_PLUGIN';

/**
 * The one base class of every error statbus throws on purpose. `code` says what kind of
 * problem it is; `cause` keeps the underlying error when there is one.
 */
export class StatbusError extends Error {
  readonly code: StatbusErrorCode;

  constructor(code: StatbusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
