import { randomBytes } from 'node:crypto';
import { CONFIG, CodecError, LOGGER, TransportError, type Logger, type StatbusConfig } from '@statbus/core';
import { inject, injectable } from 'inversify';
import { XPublisher, XSubscriber } from 'zeromq';
import { batchHead, isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { curveOptions } from './curve-options.js';
import { PublishBatcher } from './publish-batcher.js';
import { RelayStreams } from './relay-streams.js';
import { ReplayServer } from './replay-endpoint.js';
import { ReplayWindow } from './replay-window.js';
import { SendQueue } from './send-queue.js';
import { batchHighWaterMark, batchLimits, commonSocketOptions, relayReplayAddress } from './socket-options.js';
import { SubscriberPrefixes } from './subscriber-prefixes.js';
import { SUBSCRIBE_BYTE, decodeMessageFrame, isHeartbeatFrame, isProbeTopic } from './wire-frames.js';

/** Running totals of a {@link ZeroMqRelay}. */
export interface RelayCounters {
  /** Messages taken from publishers and passed on towards the outbound socket (stream heartbeats not included). */
  readonly forwarded: number;
  /**
   * Sends passed on but not yet handed to the outbound socket: messages waiting to go out in a batch, and
   * batches or lone frames queued behind the one being sent. 0 when ZeroMQ has everything the relay took.
   */
  readonly pending: number;
  /** Stream heartbeats forwarded. */
  readonly heartbeats: number;
  /** Batches received that could not be read (dropped and logged; subscribers see their messages as a gap). */
  readonly malformed: number;
  /** Subscribe messages from downstream subscribers (unique prefixes only, as ZeroMQ reports them). */
  readonly subscriptions: number;
  /** Readiness probes answered. */
  readonly probes: number;
  /** Gap requests answered on the replay endpoint, and the messages sent in the answers. */
  readonly gapRequests: number;
  readonly replayed: number;
  /** Messages kept in the replay window now, and streams whose last position the relay still beats. */
  readonly kept: number;
  readonly streams: number;
}

/**
 * fedmsg-relay: short-lived publishers connect to the inbound side (an XSUB socket bound at
 * `relay_inbound`), subscribers to the outbound side (an XPUB socket bound at `relay_outbound`), and
 * every message is forwarded, frames untouched — except statbus messages, which travel in batches built for
 * the relay's own subscribers (see `PublishBatcher`): a batch a publisher built for the relay (which takes
 * everything) is split, and its messages batched again by what each downstream subscription takes.
 *
 * Upstream the relay subscribes to everything, so a publisher never filters for it and never drops while
 * a downstream subscription is still travelling up; filtering happens at the outbound socket. The relay
 * answers each subscriber's readiness probe once that subscriber's prefixes are in place.
 *
 * Recovery: the relay keeps the last `replay_window` statbus messages that passed through it (for at most
 * `replay_max_age_ms`) and answers gap requests for them on `relay_replay`, so subscribers refill gaps of
 * short-lived publishers long gone; and every `stream_heartbeat_ms` it beats the last position of each
 * stream it forwarded (see `RelayStreams`), so a lost tail is learned even when the publisher's own last
 * heartbeats were dropped.
 */
@injectable()
export class ZeroMqRelay {
  readonly #config: StatbusConfig;
  readonly #log: Logger;
  readonly #id = Buffer.from(`relay-${randomBytes(6).toString('hex')}`, 'latin1');
  #inbound: XSubscriber | undefined;
  #outbound: XPublisher | undefined;
  #outQueue: SendQueue | undefined;
  #out: PublishBatcher | undefined;
  readonly #prefixes = new SubscriberPrefixes();
  #malformed = 0;
  #window: ReplayWindow | undefined;
  #replay: ReplayServer | undefined;
  readonly #streams = new RelayStreams();
  #beats: NodeJS.Timeout | undefined;
  #forwarded = 0;
  #heartbeats = 0;
  #subscriptions = 0;
  #probes = 0;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #loops: Promise<void>[] = [];

  constructor(@inject(CONFIG) config: StatbusConfig, @inject(LOGGER) logger: Logger) {
    this.#config = config;
    this.#log = logger.child({ component: 'zeromq-relay' });
  }

  /** The address the inbound side is bound to (with the real port when the config said `*`). */
  get inboundAddress(): string | undefined {
    return this.#inbound?.lastEndpoint ?? undefined;
  }

  /** The address the outbound side is bound to. */
  get outboundAddress(): string | undefined {
    return this.#outbound?.lastEndpoint ?? undefined;
  }

  /** The address gap requests are answered on. */
  get replayAddress(): string | undefined {
    return this.#replay?.address;
  }

  counters(): RelayCounters {
    return {
      forwarded: this.#forwarded,
      pending: this.#out?.pending ?? 0,
      heartbeats: this.#heartbeats,
      malformed: this.#malformed,
      subscriptions: this.#subscriptions,
      probes: this.#probes,
      gapRequests: this.#replay?.requests ?? 0,
      replayed: this.#replay?.replayed ?? 0,
      kept: this.#window?.size ?? 0,
      streams: this.#streams.size,
    };
  }

  /**
   * Binds both sides and starts forwarding. Resolves when both are bound. Idempotent.
   *
   * @throws {TransportError} `ERR_CONNECTION` naming the address that cannot be bound; `ERR_CLOSED`
   *   after `close()`.
   */
  start(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new TransportError('ERR_CLOSED', 'The relay is closed'));
    this.#starting ??= this.#open();
    return this.#starting;
  }

  /** Stops forwarding and closes both sockets. Idempotent; resolves when both loops ended. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #open(): Promise<void> {
    const config = this.#config.zeromq;
    const common = { ...commonSocketOptions(config), ...curveOptions(config).server };
    const inbound = new XSubscriber({ receiveHighWaterMark: batchHighWaterMark(config.receive_hwm, config), ...common });
    const outbound = new XPublisher({ sendHighWaterMark: batchHighWaterMark(config.send_hwm, config), ...common });
    const window = new ReplayWindow(config.replay_window, config.replay_max_age_ms);
    const replay = new ReplayServer(window, common, this.#log);
    this.#inbound = inbound;
    this.#outbound = outbound;
    this.#window = window;
    this.#replay = replay;
    this.#outQueue = new SendQueue(outbound);
    this.#out = new PublishBatcher(this.#outQueue, this.#prefixes, batchLimits(config));
    for (const [socket, address] of [
      [inbound, config.relay_inbound],
      [outbound, config.relay_outbound],
      [replay, relayReplayAddress(config)],
    ] as const) {
      try {
        await (socket instanceof ReplayServer ? socket.bind([address]) : socket.bind(address));
      } catch (error) {
        inbound.close();
        outbound.close();
        await replay.close();
        throw new TransportError('ERR_CONNECTION', `The relay cannot bind ${address}`, { address, cause: error });
      }
    }
    // Subscribe to everything upstream; XSUB repeats it to every publisher that connects later.
    await inbound.send(Buffer.from([SUBSCRIBE_BYTE]));
    const out = this.#out;
    this.#loops = [this.#forward(inbound, out), this.#serveSubscriptions(outbound, out)];
    if (config.stream_heartbeat_ms > 0) {
      const queue = out;
      this.#beats = setInterval(() => this.#beat(queue), config.stream_heartbeat_ms);
      this.#beats.unref();
    }
    this.#log.info({ inbound: inbound.lastEndpoint, outbound: outbound.lastEndpoint, replay: replay.address, window: config.replay_window }, 'relay started');
  }

  async #forward(inbound: XSubscriber, out: PublishBatcher): Promise<void> {
    let watched: Promise<void> | undefined;
    try {
      for await (const frames of inbound) {
        const [first] = frames;
        let sent: Promise<void>;
        if (frames.length === 1 && first !== undefined && isBatchFrame(first)) {
          const batch = splitBatchFrame(first);
          if (batch instanceof CodecError) {
            this.#refuseBatch(first, batch);
            continue;
          }
          sent = Promise.resolve();
          for (const frame of batch) sent = this.#pass(frame, out);
        } else if (frames.length === 1 && first !== undefined) {
          sent = this.#pass(first, out);
        } else {
          this.#forwarded += 1;
          sent = out.sendAlone(frames);
        }
        if (sent !== watched) {
          watched = sent;
          sent.catch((error: unknown) => this.#log.debug({ err: error }, 'relay could not forward a message'));
        }
        // Read on while the outbound side keeps up; wait for it once a batch queues behind the one being sent.
        if ((this.#outQueue?.pending ?? 0) > 1) await sent.catch(() => undefined);
      }
    } catch (error) {
      if (!inbound.closed) this.#log.error({ err: error }, 'relay stopped forwarding');
    }
  }

  /** Keeps, tracks and forwards one single frame: a statbus message (batched downstream), a heartbeat, or other. */
  #pass(frame: Buffer, out: PublishBatcher): Promise<void> {
    const message = decodeMessageFrame(frame);
    if (message !== undefined) {
      const { publisher, n, seq } = message.position;
      // A copy: the frame is a view of the batch it came in, which the window would otherwise keep whole
      // (and, through zeromq.js, the native message under it) for as long as it keeps this one message.
      this.#window?.keep(publisher, message.topic, n, Buffer.from(frame));
      this.#streams.passed(publisher, message.topic, n, seq);
      this.#forwarded += 1;
      return out.send(message.topic, frame);
    }
    if (isHeartbeatFrame(frame)) this.#heartbeats += 1;
    else this.#forwarded += 1;
    return out.sendAlone(frame);
  }

  #refuseBatch(frame: Buffer, error: CodecError): void {
    this.#malformed += 1;
    if (this.#malformed === 1 || this.#malformed % 1000 === 0) this.#log.warn({ err: error, head: batchHead(frame), malformed: this.#malformed }, 'relay dropped a batch it cannot read');
  }

  /** Beats the last position of the streams that went quiet (see `RelayStreams`), behind what is queued. */
  #beat(queue: PublishBatcher): void {
    if (queue.pending > 0) return;
    for (const frame of this.#streams.tick()) {
      queue.sendAlone(frame).catch((error: unknown) => {
        this.#log.debug({ err: error }, 'could not send a stream heartbeat');
      });
    }
  }

  async #serveSubscriptions(outbound: XPublisher, queue: PublishBatcher): Promise<void> {
    try {
      for await (const [message] of outbound) {
        if (message === undefined) continue;
        this.#prefixes.observe(message);
        if (message[0] !== SUBSCRIBE_BYTE) continue;
        const prefix = message.subarray(1);
        if (isProbeTopic(prefix)) {
          this.#probes += 1;
          void queue.sendAlone([Buffer.from(prefix), this.#id]).catch(() => undefined);
        } else {
          this.#subscriptions += 1;
        }
      }
    } catch (error) {
      if (!outbound.closed) this.#log.error({ err: error }, 'relay stopped reading subscriptions');
    }
  }

  async #shutdown(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    clearInterval(this.#beats);
    await this.#replay?.close();
    this.#inbound?.close();
    this.#outbound?.close();
    await Promise.all(this.#loops);
    this.#log.info(this.counters(), 'relay closed');
  }
}
