import type { ZeroMqConfig } from '@statbus/core';

/** Socket options every statbus ZeroMQ socket gets from `[zeromq]`. */
export interface CommonSocketOptions {
  linger: number;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  tcpKeepalive: number;
  tcpKeepaliveIdle: number;
}

/** ZMQ_LINGER, ZMQ_RECONNECT_IVL(_MAX), ZMQ_TCP_KEEPALIVE(_IDLE) from the config. */
export function commonSocketOptions(config: ZeroMqConfig): CommonSocketOptions {
  return {
    linger: config.linger_ms,
    reconnectInterval: config.reconnect_interval_ms,
    reconnectMaxInterval: config.reconnect_interval_max_ms,
    tcpKeepalive: config.tcp_keepalive ? 1 : 0,
    tcpKeepaliveIdle: config.tcp_keepalive_idle_s,
  };
}

/** Endpoint names of `bind` replaced by their addresses, duplicates removed. */
export function bindAddresses(config: ZeroMqConfig): string[] {
  const addresses = config.bind.flatMap((entry) => config.endpoints[entry] ?? [entry]);
  return [...new Set(addresses)];
}

/** Every address a subscriber connects to: all endpoints, then the relay's outbound side. */
export function subscribeAddresses(config: ZeroMqConfig): string[] {
  const addresses = Object.values(config.endpoints).flat();
  if (config.use_relay) addresses.push(config.relay_outbound);
  return [...new Set(addresses)];
}

/**
 * The relay's gap-request endpoint: `relay_replay`, or beside `relay_outbound` (its port + 2, `*` stays
 * `*`; `ipc://path` gives `ipc://path.replay`; `inproc://name` gives `inproc://name.replay`).
 */
export function relayReplayAddress(config: ZeroMqConfig): string {
  if (config.relay_replay !== undefined) return config.relay_replay;
  const outbound = config.relay_outbound;
  const tcp = /^(tcp:\/\/.+):(\d+|\*)$/u.exec(outbound);
  if (tcp === null) return `${outbound}.replay`;
  const [, host, port] = tcp;
  return `${host}:${port === '*' ? '*' : String(Number(port) + 2)}`;
}

/** The bytes a message of a high-water mark stands for when ZeroMQ's marks are turned into batches. */
export const HWM_BYTES_PER_MESSAGE = 1024;

/**
 * The ZMQ_SNDHWM / ZMQ_RCVHWM for a high-water mark of `hwm` messages. ZeroMQ counts ZeroMQ messages and a
 * batch (up to `batch_max_bytes`) is one, so `hwm` batches could hold `batch_max_bytes / 1 KiB` times the
 * memory `hwm` messages of about 1 KiB did. The socket gets as many batches as fit in `hwm` KiB instead
 * (at least 1, at most `hwm`): a peer's queue then holds at most about `hwm` KiB of batches, as it held
 * `hwm` typical messages before batching. 0 stays 0 (no limit). Without batching (the fedmsg wire format,
 * `batch_max_messages = 1`) the marks count the messages themselves.
 */
export function batchHighWaterMark(hwm: number, config: ZeroMqConfig): number {
  if (hwm === 0 || config.wire_format === 'fedmsg' || config.batch_max_messages === 1) return hwm;
  return Math.min(hwm, Math.max(1, Math.round((hwm * HWM_BYTES_PER_MESSAGE) / config.batch_max_bytes)));
}

/** The batch limits of `[zeromq]` (see `PublishBatcher`). */
export function batchLimits(config: ZeroMqConfig): { maxBytes: number; maxCount: number } {
  return { maxBytes: config.batch_max_bytes, maxCount: config.batch_max_messages };
}
