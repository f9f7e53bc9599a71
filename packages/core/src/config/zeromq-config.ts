import { z } from 'zod';

const ADDRESS = /^(tcp:\/\/[^\s]+:(\d+|\*)|ipc:\/\/[^\s]+|inproc:\/\/[^\s]+)$/u;

const address = z.string().regex(ADDRESS, 'must be tcp://host:port, ipc://path or inproc://name');

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
  prefetch: 100,
  max_deliveries: 5,
  stream_heartbeat_ms: 1_000,
  wire_format: 'statbus',
} as const;

/** How messages travel over ZeroMQ: statbus's frames, or fedmsg's two frames (topic, then its JSON). */
export const ZEROMQ_WIRE_FORMATS = ['statbus', 'fedmsg'] as const;

/**
 * `[zeromq]`: fedmsg-style discovery. `endpoints` names the addresses producers bind; a subscriber
 * connects to every one of them and (with `use_relay`) to the relay's outbound side. A producer binds
 * the entries of `bind` (an endpoint name, meaning all its addresses, or an address); with nothing to
 * bind and `use_relay` it connects to the relay's inbound side, like a short-lived fedmsg publisher.
 *
 * - `send_hwm` / `receive_hwm`: ZMQ_SNDHWM / ZMQ_RCVHWM, messages queued per peer (0 = no limit).
 * - `linger_ms`: ZMQ_LINGER, and how long `close()` waits for queued publishes (-1 = forever).
 * - `reconnect_interval_ms` / `reconnect_interval_max_ms`: ZMQ_RECONNECT_IVL / ZMQ_RECONNECT_IVL_MAX.
 * - `tcp_keepalive` / `tcp_keepalive_idle_s`: ZMQ_TCP_KEEPALIVE / ZMQ_TCP_KEEPALIVE_IDLE.
 * - `ready_timeout_ms`: longest wait of `connect()` for the relay and of `subscribe()` for its
 *   subscription to be live at every reachable publisher.
 * - `prefetch`: deliveries handed out and not settled per subscription when `subscribe()` gives none;
 *   past it the subscriber stops reading and ZeroMQ's high-water marks drop (reported as gaps).
 * - `max_deliveries`: a message `nack`ed with requeue is delivered again in-process at most this many
 *   times in all, then dropped and counted as `rejected`.
 * - `stream_heartbeat_ms`: how often a publisher sends, for each topic it published on recently, a
 *   heartbeat with the last stream position it sent, so that subscribers report messages lost at the end
 *   of a stream (after which nothing more came on the topic) as a gap; 0 = no heartbeats (then such a
 *   tail loss is only reported when the next message on the topic arrives).
 * - `wire_format`: what `publish()` sends: `statbus` (one frame with a stream position) or `fedmsg` (fedmsg's
 *   `[topic, json]`, readable by fedmsg consumers; no stream positions, so no heartbeats). Receiving reads both,
 *   told apart per message.
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
    prefetch: z.number().int().min(1).max(1_000_000).default(ZEROMQ_DEFAULTS.prefetch),
    max_deliveries: z.number().int().min(1).default(ZEROMQ_DEFAULTS.max_deliveries),
    stream_heartbeat_ms: z.number().int().nonnegative().max(2_147_483_647).default(ZEROMQ_DEFAULTS.stream_heartbeat_ms),
    wire_format: z.enum(ZEROMQ_WIRE_FORMATS).default(ZEROMQ_DEFAULTS.wire_format),
  })
  .superRefine((section, context) => {
    section.bind.forEach((entry, index) => {
      if (Object.hasOwn(section.endpoints, entry) || ADDRESS.test(entry)) return;
      context.addIssue({
        code: 'custom',
        path: ['bind', index],
        message: `${JSON.stringify(entry)} is neither a name in [zeromq.endpoints] nor a tcp://, ipc:// or inproc:// address`,
      });
    });
  })
  .prefault({});

/** The validated `[zeromq]` section. */
export type ZeroMqConfig = z.output<typeof zeromqConfigSchema>;
