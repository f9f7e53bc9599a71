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
