import { randomBytes } from 'node:crypto';
import { CONFIG, LOGGER, TransportError, type Logger, type StatbusConfig } from '@statbus/core';
import { inject, injectable } from 'inversify';
import { XPublisher, XSubscriber } from 'zeromq';
import { SendQueue } from './send-queue.js';
import { commonSocketOptions } from './socket-options.js';
import { SUBSCRIBE_BYTE, isHeartbeatFrame, isProbeTopic } from './wire-frames.js';

/** Running totals of a {@link ZeroMqRelay}. */
export interface RelayCounters {
  /** Messages taken from publishers and handed to the outbound socket (stream heartbeats not included). */
  readonly forwarded: number;
  /** Stream heartbeats forwarded. */
  readonly heartbeats: number;
  /** Subscribe messages from downstream subscribers (unique prefixes only, as ZeroMQ reports them). */
  readonly subscriptions: number;
  /** Readiness probes answered. */
  readonly probes: number;
}

/**
 * fedmsg-relay: short-lived publishers connect to the inbound side (an XSUB socket bound at
 * `relay_inbound`), subscribers to the outbound side (an XPUB socket bound at `relay_outbound`), and
 * every message is forwarded, frames untouched.
 *
 * Upstream the relay subscribes to everything, so a publisher never filters for it and never drops while
 * a downstream subscription is still travelling up; filtering happens at the outbound socket. The relay
 * answers each subscriber's readiness probe once that subscriber's prefixes are in place.
 */
@injectable()
export class ZeroMqRelay {
  readonly #config: StatbusConfig;
  readonly #log: Logger;
  readonly #id = Buffer.from(`relay-${randomBytes(6).toString('hex')}`, 'latin1');
  #inbound: XSubscriber | undefined;
  #outbound: XPublisher | undefined;
  #outQueue: SendQueue | undefined;
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

  counters(): RelayCounters {
    return { forwarded: this.#forwarded, heartbeats: this.#heartbeats, subscriptions: this.#subscriptions, probes: this.#probes };
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
    const common = commonSocketOptions(config);
    const inbound = new XSubscriber({ receiveHighWaterMark: config.receive_hwm, ...common });
    const outbound = new XPublisher({ sendHighWaterMark: config.send_hwm, ...common });
    this.#inbound = inbound;
    this.#outbound = outbound;
    this.#outQueue = new SendQueue(outbound);
    for (const [socket, address] of [
      [inbound, config.relay_inbound],
      [outbound, config.relay_outbound],
    ] as const) {
      try {
        await socket.bind(address);
      } catch (error) {
        inbound.close();
        outbound.close();
        throw new TransportError('ERR_CONNECTION', `The relay cannot bind ${address}`, { address, cause: error });
      }
    }
    // Subscribe to everything upstream; XSUB repeats it to every publisher that connects later.
    await inbound.send(Buffer.from([SUBSCRIBE_BYTE]));
    this.#loops = [this.#forward(inbound, this.#outQueue), this.#serveSubscriptions(outbound, this.#outQueue)];
    this.#log.info({ inbound: inbound.lastEndpoint, outbound: outbound.lastEndpoint }, 'relay started');
  }

  async #forward(inbound: XSubscriber, queue: SendQueue): Promise<void> {
    try {
      for await (const frames of inbound) {
        const [first] = frames;
        if (frames.length === 1 && first !== undefined && isHeartbeatFrame(first)) this.#heartbeats += 1;
        else this.#forwarded += 1;
        await queue.send(frames);
      }
    } catch (error) {
      if (!inbound.closed) this.#log.error({ err: error }, 'relay stopped forwarding');
    }
  }

  async #serveSubscriptions(outbound: XPublisher, queue: SendQueue): Promise<void> {
    try {
      for await (const [message] of outbound) {
        if (message === undefined || message[0] !== SUBSCRIBE_BYTE) continue;
        const prefix = message.subarray(1);
        if (isProbeTopic(prefix)) {
          this.#probes += 1;
          void queue.send([Buffer.from(prefix), this.#id]).catch(() => undefined);
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
    this.#inbound?.close();
    this.#outbound?.close();
    await Promise.all(this.#loops);
    this.#log.info(this.counters(), 'relay closed');
  }
}
