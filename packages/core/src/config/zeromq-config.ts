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
  replay_window: 10_000,
  replay_max_age_ms: 300_000,
  replay_timeout_ms: 2_000,
  send_timeout_ms: 30_000,
  on_full: 'wait',
  batch_max_bytes: 16 * 1024,
  batch_max_messages: 64,
} as const;

/** What a publisher does at the high-water mark towards the relay: wait (up to `send_timeout_ms`), or drop and count. */
export const ZEROMQ_ON_FULL = ['wait', 'drop'] as const;

/** A CURVE key as ZeroMQ's Z85 text: 40 characters. */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/u;
const curveKey = z.string().regex(Z85_KEY, 'must be a CURVE key in Z85 text (40 characters)');

/**
 * `[zeromq.curve]`: CURVE encryption and authentication of every statbus ZeroMQ socket. Each key is given
 * as Z85 text (`public_key`) or as a file holding it (`public_key_file`: the key alone, or a zcert file
 * with `public-key = "…"` / `secret-key = "…"`). A socket that binds (relay, binding publisher, replay
 * endpoint) is the CURVE server with this process's key pair; a socket that connects is a client with its
 * key pair and `server_key`, the servers' public key. A peer without the keys gets nothing.
 */
export const zeromqCurveSchema = z
  .strictObject({
    public_key: curveKey.optional(),
    public_key_file: z.string().min(1).optional(),
    secret_key: curveKey.optional(),
    secret_key_file: z.string().min(1).optional(),
    server_key: curveKey.optional(),
    server_key_file: z.string().min(1).optional(),
  })
  .superRefine((curve, context) => {
    for (const key of ['public_key', 'secret_key', 'server_key'] as const) {
      const given = curve[key] !== undefined;
      const file = curve[`${key}_file`] !== undefined;
      if (given && file) context.addIssue({ code: 'custom', path: [key], message: `give ${key} or ${key}_file, not both` });
      if (!given && !file) context.addIssue({ code: 'custom', path: [key], message: `CURVE needs ${key} (or ${key}_file)` });
    }
  });

/** The validated `[zeromq.curve]` section. */
export type ZeroMqCurveConfig = z.output<typeof zeromqCurveSchema>;

/** How messages travel over ZeroMQ: statbus's frames, or fedmsg's two frames (topic, then its JSON). */
export const ZEROMQ_WIRE_FORMATS = ['statbus', 'fedmsg'] as const;

/**
 * `[zeromq]`: fedmsg-style discovery. `endpoints` names the addresses producers bind; a subscriber
 * connects to every one of them and (with `use_relay`) to the relay's outbound side. A producer binds
 * the entries of `bind` (an endpoint name, meaning all its addresses, or an address); with nothing to
 * bind and `use_relay` it connects to the relay's inbound side, like a short-lived fedmsg publisher.
 *
 * - `send_hwm` / `receive_hwm`: the high-water marks, messages queued per peer (0 = no limit). ZeroMQ's
 *   ZMQ_SNDHWM / ZMQ_RCVHWM count ZeroMQ messages, and a batch is one: the sockets get as many batches of
 *   `batch_max_bytes` as fit in `hwm` KiB (at least 1, at most `hwm`), so that a peer's queue holds at most
 *   about `hwm` KiB (10 MiB with the defaults: 625 batches of 16 KiB), as `hwm` messages of about 1 KiB did
 *   before batching. Messages that travel alone take a batch's place each.
 * - `batch_max_bytes` / `batch_max_messages`: how big a batch (several messages sent in one ZeroMQ message
 *   when they are published in the same event-loop turn) may grow; a message over `batch_max_bytes` goes alone;
 *   `batch_max_messages = 1` turns batching off (and the high-water marks are then counted per message).
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
 * - `replay_window` / `replay_max_age_ms`: how many of its last messages (and for how long) each publisher
 *   and the relay keep to answer gap requests; 0 = keep none (gaps are then only reported).
 * - `replay_bind`: where a publisher that binds answers gap requests (addresses); `replay_endpoints`: the
 *   gap-request endpoints a subscriber asks, besides the relay's `relay_replay` when `use_relay`
 *   (unset: beside `relay_outbound`, on its port + 2 — `tcp://127.0.0.1:9942` by default — or `*` when that
 *   port is `*`; `ipc://path` gives `ipc://path.replay`).
 * - `replay_timeout_ms`: how long a subscriber waits for an answer to a gap request.
 * - `send_timeout_ms` / `on_full`: at the high-water mark towards the relay a publisher waits up to
 *   `send_timeout_ms` (-1 = forever), then `publish()` rejects; with `on_full = "drop"` it drops and counts.
 * - `curve`: see {@link zeromqCurveSchema}.
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
    replay_window: z.number().int().nonnegative().max(10_000_000).default(ZEROMQ_DEFAULTS.replay_window),
    replay_max_age_ms: z.number().int().positive().default(ZEROMQ_DEFAULTS.replay_max_age_ms),
    replay_bind: z.array(address).default([]),
    replay_endpoints: z.array(address).default([]),
    relay_replay: address.optional(),
    replay_timeout_ms: z.number().int().positive().default(ZEROMQ_DEFAULTS.replay_timeout_ms),
    send_timeout_ms: z.number().int().min(-1).max(2_147_483_647).default(ZEROMQ_DEFAULTS.send_timeout_ms),
    on_full: z.enum(ZEROMQ_ON_FULL).default(ZEROMQ_DEFAULTS.on_full),
    batch_max_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(ZEROMQ_DEFAULTS.batch_max_bytes),
    batch_max_messages: z.number().int().min(1).max(100_000).default(ZEROMQ_DEFAULTS.batch_max_messages),
    curve: zeromqCurveSchema.optional(),
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
