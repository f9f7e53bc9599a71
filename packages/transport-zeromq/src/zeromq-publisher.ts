import { TransportError, type CodecOptions, type Envelope, type Logger, type StatbusConfig, type TransportCounterSet, type TransportStatus } from '@statbus/core';
import { XPublisher } from 'zeromq';
import type { CurveOptions } from './curve-options.js';
import { encodeFedmsgFrames } from './fedmsg-frames.js';
import { PublishBatcher } from './publish-batcher.js';
import { awaitRelayReceipt } from './relay-receipt.js';
import { ReplayClient, ReplayServer } from './replay-endpoint.js';
import type { ReplayWindow } from './replay-window.js';
import { SendQueue } from './send-queue.js';
import { SocketMonitor, type MonitorSink } from './socket-monitor.js';
import { batchHighWaterMark, batchLimits, bindAddresses, commonSocketOptions, relayReplayAddress } from './socket-options.js';
import { StreamPositions } from './stream-positions.js';
import { SubscriberPrefixes } from './subscriber-prefixes.js';
import { DroppedWhenFull, relayWhenFull } from './when-full.js';
import { SUBSCRIBE_BYTE, isProbeTopic } from './wire-frames.js';

/** What a {@link ZeroMqPublisher} reports to its transport. */
export interface PublisherSink extends MonitorSink {
  readonly counters: TransportCounterSet;
  status(event: TransportStatus): void;
}

function delay(ms: number): { promise: Promise<'timeout'>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The error of a publish refused because the transport is closed. */
export function closedError(): TransportError {
  return new TransportError('ERR_CLOSED', 'The ZeroMQ transport is closed');
}

/**
 * The publishing half of `ZeroMqTransport`: one XPUB socket that binds the `bind` entries of `[zeromq]` or
 * connects to the relay's inbound side, its send queue with adaptive batching in front (statbus wire
 * format only: see `PublishBatcher`), the stream positions and their heartbeats, and the replay endpoint
 * (`replay_bind`).
 */
export class ZeroMqPublisher {
  readonly #config: StatbusConfig;
  readonly #codec: CodecOptions;
  readonly #log: Logger;
  readonly #id: string;
  readonly #sink: PublisherSink;
  readonly #positions: StreamPositions;
  readonly #prefixes = new SubscriberPrefixes();
  readonly #socket: XPublisher;
  readonly #queue: SendQueue;
  readonly #batcher: PublishBatcher;
  readonly #canPublish: boolean;
  readonly #viaRelay: boolean;
  readonly #curve: CurveOptions;
  #window: ReplayWindow | undefined;
  #replayServer: ReplayServer | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #relayAttached: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  /** Messages dropped at the high-water mark with `on_full = "drop"` (logged once, with the cause). */
  #droppedFull = 0;
  readonly #published = (): void => {
    this.#sink.counters.published += 1;
  };
  // Bound once rather than a closure per message; the ZeroMQ error (the cause) says what went wrong.
  readonly #refused = (error: unknown): void => this.#refuse(error, 1);

  private constructor(config: StatbusConfig, id: string, curve: CurveOptions, log: Logger, sink: PublisherSink) {
    this.#config = config;
    this.#codec = { maxMessageBytes: config.codec.max_message_bytes };
    this.#id = id;
    this.#log = log;
    this.#sink = sink;
    this.#positions = new StreamPositions(id);
    const zeromq = config.zeromq;
    const binds = bindAddresses(zeromq);
    const viaRelay = binds.length === 0 && zeromq.use_relay;
    this.#canPublish = binds.length > 0 || viaRelay;
    this.#viaRelay = viaRelay;
    this.#curve = curve;
    this.#socket = new XPublisher({
      sendHighWaterMark: batchHighWaterMark(zeromq.send_hwm, zeromq),
      ...commonSocketOptions(zeromq),
      ...(viaRelay ? curve.client : curve.server),
      // Towards the relay, wait at the high-water mark instead of dropping: the relay then never
      // misses what this process published. Otherwise a send never waits (it drops at the high-water
      // mark, which subscribers report as a gap), so zeromq.js can send synchronously: ZMQ_SNDTIMEO 0.
      noDrop: viaRelay,
      ...(!viaRelay && { sendTimeout: 0 }),
    });
    new SocketMonitor(this.#socket, sink);
    this.#queue = new SendQueue(this.#socket, { immediate: !viaRelay, ...(viaRelay && { whenFull: relayWhenFull(zeromq) }) });
    this.#batcher = new PublishBatcher(this.#queue, this.#prefixes, batchLimits(zeromq), {
      sent: (count) => {
        this.#sink.counters.published += count;
      },
      refused: (count, error) => this.#refuse(error, count),
    });
  }

  /**
   * Binds the `bind` addresses, or connects to the relay and waits until the relay has subscribed (so that
   * the first messages are not lost to the slow-joiner effect); then opens the replay endpoint, if any.
   *
   * @throws {TransportError} `ERR_CONNECTION` naming the address that cannot be bound, or the relay that did
   *   not answer within `ready_timeout_ms`.
   */
  static async open(config: StatbusConfig, id: string, curve: CurveOptions, log: Logger, sink: PublisherSink): Promise<ZeroMqPublisher> {
    const publisher = new ZeroMqPublisher(config, id, curve, log, sink);
    try {
      await publisher.#start(curve);
    } catch (error) {
      publisher.abort();
      throw error;
    }
    return publisher;
  }

  /** The replay endpoint of this publisher (`replay_bind`), if any. */
  get replayServer(): ReplayServer | undefined {
    return this.#replayServer;
  }

  /**
   * Queues one envelope. Resolves when ZeroMQ queued it (alone or in its batch).
   *
   * @throws {CodecError} when the encoded envelope is over `codec.max_message_bytes`.
   * @throws {TransportError} `ERR_CLOSED` after close; `ERR_PUBLISH` when there is nowhere to publish or ZeroMQ refused it.
   */
  publish(envelope: Envelope): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(closedError());
    if (!this.#canPublish) {
      return Promise.reject(new TransportError('ERR_PUBLISH', 'Nowhere to publish: [zeromq] bind is empty and use_relay is false'));
    }
    if (this.#config.zeromq.wire_format === 'fedmsg') {
      let frames: [string, Buffer];
      try {
        frames = encodeFedmsgFrames(envelope, this.#config.codec.max_message_bytes);
      } catch (error) {
        return Promise.reject(asError(error));
      }
      return this.#batcher.sendAlone(frames).then(this.#published, this.#refused);
    }
    let pieces: string[];
    try {
      pieces = this.#positions.framePieces(envelope, this.#codec);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    if (this.#window === undefined) return this.#batcher.send(envelope.topic, pieces);
    const frame = pieces.join('');
    this.#window.keep(this.#id, envelope.topic, this.#positions.lastN, frame);
    return this.#batcher.send(envelope.topic, frame);
  }

  /** Counts `count` messages dropped at the high-water mark towards the relay, or throws what ZeroMQ refused them with. */
  #refuse(error: unknown, count: number): void {
    if (error instanceof DroppedWhenFull) {
      this.#droppedFull += count;
      this.#sink.counters.dropped.overflow += count;
      if (this.#droppedFull === count) {
        this.#log.warn({ err: error.cause, relay: this.#config.zeromq.relay_inbound }, 'dropping messages at the high-water mark towards the relay (on_full = "drop"); the count is logged at close');
        this.#sink.status({ type: 'dropped', reason: 'overflow', error });
      }
      return;
    }
    if (error instanceof TransportError) throw error;
    throw new TransportError('ERR_PUBLISH', 'ZeroMQ refused a message', { cause: error });
  }

  /**
   * Sends the last heartbeats (best effort), waits for queued publishes (at most `linger_ms`, unless it is -1),
   * then closes the socket (ZeroMQ lingers `linger_ms` to flush it) and the replay endpoint. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Closes at once, dropping what is queued. */
  abort(): void {
    clearInterval(this.#heartbeat);
    this.#socket.linger = 0;
    this.#socket.close();
    void this.#replayServer?.close();
  }

  async #start(curve: CurveOptions): Promise<void> {
    const config = this.#config.zeromq;
    const binds = bindAddresses(config);
    const viaRelay = binds.length === 0 && config.use_relay;
    const attached = new Promise<void>((resolve) => {
      this.#relayAttached = resolve;
    });
    void this.#serveSubscriptions();
    for (const address of binds) {
      try {
        await this.#socket.bind(address);
      } catch (error) {
        throw new TransportError('ERR_CONNECTION', `Cannot bind ${address}`, { address, cause: error });
      }
    }
    if (viaRelay) {
      const address = config.relay_inbound;
      try {
        this.#socket.connect(address);
      } catch (error) {
        throw new TransportError('ERR_CONNECTION', `Cannot connect to the relay at ${address}`, { address, cause: error });
      }
      const timeout = delay(config.ready_timeout_ms);
      const outcome = await Promise.race([attached, timeout.promise]);
      timeout.cancel();
      if (outcome === 'timeout') {
        throw new TransportError('ERR_CONNECTION', `The relay at ${address} did not answer within ${config.ready_timeout_ms} ms`, { address });
      }
    }
    if (config.replay_bind.length > 0 && config.replay_window > 0 && config.wire_format === 'statbus') {
      this.#replayServer = await ReplayServer.open(config, { ...commonSocketOptions(config), ...curve.server }, this.#log);
      this.#window = this.#replayServer.window;
    }
    if (this.#canPublish && config.stream_heartbeat_ms > 0) {
      this.#heartbeat = setInterval(() => this.#beat(), config.stream_heartbeat_ms);
      this.#heartbeat.unref();
    }
    this.#log.debug({ binds, relay: viaRelay ? config.relay_inbound : undefined }, 'publisher ready');
  }

  /**
   * One heartbeat tick (see `StreamPositions`). Skipped while messages wait to be sent: they are still going
   * out, and whatever comes last will be followed by a beat once nothing waits. A heartbeat goes behind the
   * messages, so it never overtakes one.
   */
  #beat(): void {
    if (this.#batcher.pending > 0 || this.#closing !== undefined) return;
    for (const frame of this.#positions.tick()) this.#sendBeat(frame);
  }

  #sendBeat(frame: Buffer): void {
    this.#batcher.sendAlone(frame).catch((error: unknown) => {
      this.#log.debug({ err: error }, 'could not send a stream heartbeat');
    });
  }

  /**
   * Reads the subscription messages of the XPUB socket: they tell which prefixes are subscribed (what
   * batches may hold); the relay's subscribe-all says it is attached; a subscriber's probe prefix is
   * answered on the probe topic, proving its earlier prefixes arrived. Keeping a read pending is also what
   * makes zeromq.js process the socket's attach commands.
   */
  async #serveSubscriptions(): Promise<void> {
    const socket = this.#socket;
    const me = Buffer.from(this.#id, 'latin1');
    try {
      for await (const [message] of socket) {
        if (message === undefined) continue;
        this.#prefixes.observe(message);
        if (message[0] !== SUBSCRIBE_BYTE) continue;
        if (message.length === 1) {
          this.#relayAttached?.();
        } else if (isProbeTopic(message.subarray(1))) {
          this.#batcher.sendAlone([Buffer.from(message.subarray(1)), me]).catch((error: unknown) => {
            this.#log.debug({ err: error }, 'could not answer a probe');
          });
        }
      }
    } catch (error) {
      if (!socket.closed) this.#log.error({ err: error }, 'publisher stopped reading subscriptions');
    }
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    const started = Date.now();
    const linger = this.#config.zeromq.linger_ms;
    // The last word on each recently active stream, behind every queued message (best effort: it lingers
    // like them), so that a subscriber learns of a lost tail even from a publisher that is going away.
    if (this.#config.zeromq.stream_heartbeat_ms > 0) for (const frame of this.#positions.finalBeats()) this.#sendBeat(frame);
    this.#batcher.flush();
    if (linger < 0) {
      await this.#queue.drained();
    } else {
      const timeout = delay(linger);
      const outcome = await Promise.race([this.#queue.drained(), timeout.promise]);
      timeout.cancel();
      if (outcome === 'timeout') this.#log.warn({ pending: this.#queue.pending }, 'closing with publishes not queued by ZeroMQ');
    }
    this.#queue.fail(closedError());
    await this.#awaitRelayReceipt(linger < 0 ? Number.POSITIVE_INFINITY : started + linger);
    if (this.#droppedFull > 0) this.#log.warn({ dropped: this.#droppedFull }, 'messages dropped at the high-water mark towards the relay (on_full = "drop")');
  }

  /**
   * Before a publisher attached to the relay closes its socket: waits (until `deadline`) for the relay to hold the last
   * message of each recently active stream, since ZeroMQ discards what is still queued once it stops lingering and
   * the relay could then neither replay nor report that tail. What was not confirmed is logged as possibly lost.
   */
  async #awaitRelayReceipt(deadline: number): Promise<void> {
    const config = this.#config.zeromq;
    const sent = this.#positions.lastSent();
    if (!this.#viaRelay || sent.length === 0 || config.wire_format !== 'statbus' || config.replay_window === 0 || Date.now() >= deadline) return;
    const timeoutMs = Math.max(1, Math.min(config.replay_timeout_ms, deadline - Date.now()));
    // One request per ask: awaitRelayReceipt asks again itself, until the deadline.
    const client = new ReplayClient(relayReplayAddress(config), this.#curve.client, timeoutMs, 1);
    try {
      const unconfirmed = await awaitRelayReceipt(client, this.#id, sent, deadline);
      if (unconfirmed.length > 0) {
        this.#log.warn({ relay: config.relay_inbound, streams: unconfirmed, lingerMs: config.linger_ms }, 'closing before the relay confirmed the last messages of these streams: their tail may be lost');
      }
    } finally {
      client.close();
    }
  }

  /** Closes the socket and the replay endpoint (after {@link close} drained what it could, and subscriptions closed). */
  async release(): Promise<void> {
    this.#socket.close();
    await this.#replayServer?.close();
  }
}
