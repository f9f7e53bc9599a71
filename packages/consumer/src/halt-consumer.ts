/** Options of {@link HaltConsumer}. */
export interface HaltOptions {
  /** Why; reported by `ConsumerHub.finished`. */
  readonly reason?: string;
  /** The exit code the process should end with; default 0. */
  readonly exitCode?: number;
  /** `true`: return the message to the queue unprocessed. `false` (default): acknowledge it. */
  readonly requeue?: boolean;
  readonly cause?: unknown;
}

/**
 * Thrown by a handler to stop the whole consumer hub (fedora-messaging's `HaltConsumer`): it takes no new
 * message, lets the handlers running finish, settles everything and closes its subscriptions.
 */
export class HaltConsumer extends Error {
  readonly exitCode: number;
  readonly requeue: boolean;

  constructor(options: HaltOptions = {}) {
    super(options.reason ?? 'a handler halted the consumer', options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HaltConsumer';
    this.exitCode = options.exitCode ?? 0;
    this.requeue = options.requeue ?? false;
  }
}
