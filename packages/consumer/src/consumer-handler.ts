import type { Envelope, Logger } from '@statbus/core';

/** What a handler gets besides the envelope. */
export interface ConsumerContext {
  /** The handler's name (counters and logs are keyed by it). */
  readonly handler: string;
  /** The consumer group (shared queue) the message came from. */
  readonly group: string;
  /** How many times this message was delivered to this group, this time included (1 the first time). */
  readonly attempt: number;
  readonly logger: Logger;
}

/**
 * Handles one message. Resolve to have it acknowledged; throw `Nack` to retry it later, `Drop` to
 * acknowledge it unprocessed, `HaltConsumer` to stop the hub. Any other throw is retried up to
 * `max_retries`, then the message is dead-lettered. Handlers must be idempotent: delivery is at least once.
 */
export type HandlerFunction = (envelope: Envelope, context: ConsumerContext) => void | Promise<void>;

/** A handler as an object or class instance: its topic patterns and a `handle` method. */
export interface ConsumerHandler {
  /** Default: the class name. */
  readonly name?: string;
  /** Full-topic patterns with AMQP semantics (`*` one word, `#` zero or more). */
  readonly patterns: readonly string[];
  handle(envelope: Envelope, context: ConsumerContext): void | Promise<void>;
}

/** Options of `ConsumerHub.register`. */
export interface HandlerOptions {
  /** Unique in the hub; default the function's or class's name. */
  readonly name?: string;
  /**
   * The consumer group: handlers of one group share one subscription (one shared queue on AMQP). Default
   * `[consumer] group`, else `[producer] name`.
   */
  readonly group?: string;
}
