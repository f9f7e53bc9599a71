import { TransportError, type ZeroMqConfig } from '@statbus/core';
import type { WhenFull } from './send-queue.js';

/** A message dropped at the high-water mark with `on_full = "drop"`: counted, not an error for the caller. */
export class DroppedWhenFull extends Error {
  constructor(cause: unknown) {
    super('dropped at the high-water mark towards the relay (on_full = "drop")', { cause });
  }
}

/**
 * What a publisher does at the relay's high-water mark (`on_full`, `send_timeout_ms`): wait, then reject with
 * `ERR_PUBLISH` naming the relay and the timeout; or drop at once ({@link DroppedWhenFull}, which the
 * transport counts instead of rejecting).
 */
export function relayWhenFull(config: ZeroMqConfig): WhenFull {
  return {
    mode: config.on_full,
    timeoutMs: config.send_timeout_ms,
    error: (cause, waitedMs) =>
      config.on_full === 'drop'
        ? new DroppedWhenFull(cause)
        : new TransportError('ERR_PUBLISH', `The relay at ${config.relay_inbound} took nothing for ${waitedMs} ms (send_timeout_ms ${config.send_timeout_ms}): the message was not sent`, {
            address: config.relay_inbound,
            cause,
          }),
  };
}
