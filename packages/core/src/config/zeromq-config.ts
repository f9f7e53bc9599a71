import { z } from 'zod';

const address = z
  .string()
  .regex(/^(tcp:\/\/[^\s]+:(\d+|\*)|ipc:\/\/[^\s]+|inproc:\/\/[^\s]+)$/u, 'must be tcp://host:port, ipc://path or inproc://name');

/** Defaults of the `[zeromq]` section. */
export const ZEROMQ_DEFAULTS = {
  relay_inbound: 'tcp://127.0.0.1:9941',
  relay_outbound: 'tcp://127.0.0.1:9940',
  send_hwm: 10_000,
  receive_hwm: 10_000,
  linger_ms: 1_000,
  reconnect_interval_ms: 100,
  reconnect_interval_max_ms: 5_000,
  tcp_keepalive: true,
  tcp_keepalive_idle_s: 60,
  ready_timeout_ms: 2_000,
} as const;

/**
 * `[zeromq]`: fedmsg-style discovery. `endpoints` names the addresses producers bind; a subscriber
 * connects to every one of them and to the relay's outbound side. A producer binds the endpoints listed
 * under its own name in `bind` (an endpoint name or an address); without `bind` it connects to the relay's
 * inbound side, like a short-lived fedmsg publisher.
 */
export const zeromqConfigSchema = z
  .strictObject({
    endpoints: z.record(z.string().min(1), z.array(address).min(1)).default({}),
    bind: z.array(z.string().min(1)).default([]),
    use_relay: z.boolean().default(true),
    relay_inbound: address.default(ZEROMQ_DEFAULTS.relay_inbound),
    relay_outbound: address.default(ZEROMQ_DEFAULTS.relay_outbound),
    send_hwm: z.number().int().nonnegative().default(ZEROMQ_DEFAULTS.send_hwm),
    receive_hwm: z.number().int().nonnegative().default(ZEROMQ_DEFAULTS.receive_hwm),
    linger_ms: z.number().int().min(-1).default(ZEROMQ_DEFAULTS.linger_ms),
    reconnect_interval_ms: z.number().int().positive().default(ZEROMQ_DEFAULTS.reconnect_interval_ms),
    reconnect_interval_max_ms: z.number().int().nonnegative().default(ZEROMQ_DEFAULTS.reconnect_interval_max_ms),
    tcp_keepalive: z.boolean().default(ZEROMQ_DEFAULTS.tcp_keepalive),
    tcp_keepalive_idle_s: z.number().int().positive().default(ZEROMQ_DEFAULTS.tcp_keepalive_idle_s),
    ready_timeout_ms: z.number().int().positive().default(ZEROMQ_DEFAULTS.ready_timeout_ms),
  })
  .prefault({});

/** The validated `[zeromq]` section. */
export type ZeroMqConfig = z.output<typeof zeromqConfigSchema>;
