import { TransportError, type Logger, type ZeroMqConfig } from '@statbus/core';
import { Dealer, Router, type SocketOptions } from 'zeromq';
import { ReplayWindow } from './replay-window.js';
import { decodeMessageFrame } from './wire-frames.js';

/**
 * Gap requests, fedmsg's replay endpoint in the zguide's Clone pattern: beside its PUB socket a producer
 * (and the relay) binds a ROUTER; a subscriber's DEALER asks it for positions `from..to` of one stream,
 * and gets the kept frames back, as they were sent.
 *
 * - request: `r1`, request id, publisher, topic, from, to
 * - reply: `r1`, request id, then the frames found, in order (at most {@link REPLAY_BATCH}; the asker
 *   asks again from after the last one when the reply is full)
 */
export const REPLAY_TAG = 'r1';

/** The most frames in one reply. */
export const REPLAY_BATCH = 1000;

/**
 * How many times a gap request is sent to an endpoint that is connected but has not answered within the timeout,
 * before its positions count as not found there. A busy process answers late rather than never, and ZeroMQ drops
 * a request or an answer in flight when a connection breaks; either way the endpoint may still hold the messages.
 */
export const REPLAY_ATTEMPTS = 3;

/** How gaps were handled by a transport's subscriptions (see `ZeroMqTransport.recovery()`). */
export interface RecoveryCounters {
  /** Messages lost on the way, fetched again from a replay endpoint and delivered (marked `replayed`). */
  readonly refilled: number;
  /** Messages found nowhere (older than every window), reported as `gap` events: `counters().missed`. */
  readonly lost: number;
  /** Gap requests this process's replay endpoint answered, and the messages it sent in the answers. */
  readonly requestsAnswered: number;
  readonly replayed: number;
}

type RouterOptions = SocketOptions<Router>;
type DealerOptions = SocketOptions<Dealer>;

function parseCount(frame: Buffer | undefined): number | undefined {
  if (frame === undefined || frame.length === 0 || frame.length > 15) return undefined;
  const text = frame.toString('latin1');
  return /^\d+$/u.test(text) ? Number(text) : undefined;
}

/** Answers gap requests from a {@link ReplayWindow} on a ROUTER socket. */
export class ReplayServer {
  readonly #socket: Router;
  readonly window: ReplayWindow;
  readonly #log: Logger;
  #loop: Promise<void> = Promise.resolve();
  /** Requests answered, and frames sent in the answers. */
  requests = 0;
  replayed = 0;

  constructor(window: ReplayWindow, options: RouterOptions, logger: Logger) {
    this.window = window;
    this.#socket = new Router(options);
    this.#log = logger;
  }

  /**
   * A publisher's replay endpoint: a window of `replay_window` messages, answered on every `replay_bind` address.
   *
   * @throws {TransportError} `ERR_CONNECTION` naming the addresses when one cannot be bound.
   */
  static async open(config: ZeroMqConfig, options: RouterOptions, logger: Logger): Promise<ReplayServer> {
    const server = new ReplayServer(new ReplayWindow(config.replay_window, config.replay_max_age_ms), options, logger);
    try {
      await server.bind(config.replay_bind);
    } catch (error) {
      await server.close();
      throw new TransportError('ERR_CONNECTION', `Cannot bind the replay endpoint ${config.replay_bind.join(', ')}`, { address: config.replay_bind.join(', '), cause: error });
    }
    return server;
  }

  /** The address bound last (with the real port when `*` was given). */
  get address(): string | undefined {
    return this.#socket.lastEndpoint ?? undefined;
  }

  /** Binds every address, then answers requests until {@link close}. */
  async bind(addresses: readonly string[]): Promise<void> {
    for (const address of addresses) await this.#socket.bind(address);
    this.#loop = this.#serve();
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }

  async #serve(): Promise<void> {
    const socket = this.#socket;
    try {
      for await (const [identity, tag, id, publisher, topic, from, to] of socket) {
        if (identity === undefined || id === undefined) continue;
        const first = parseCount(from);
        const last = parseCount(to);
        if (tag?.toString('latin1') !== REPLAY_TAG || publisher === undefined || topic === undefined || first === undefined || last === undefined) {
          this.#log.warn({ tag: tag?.toString('latin1') }, 'ignored a malformed gap request');
          continue;
        }
        const frames = this.window.find(publisher.toString('latin1'), topic.toString('utf8'), first, last, REPLAY_BATCH);
        this.requests += 1;
        this.replayed += frames.length;
        await socket.send([identity, REPLAY_TAG, id, ...frames]);
      }
    } catch (error) {
      if (!socket.closed) this.#log.error({ err: error }, 'replay endpoint stopped answering');
    }
  }
}

/**
 * Asks one replay endpoint for missing positions, one request at a time. A request goes out only over a completed
 * connection (ZMQ_IMMEDIATE): an endpoint that is not there fails the send within the timeout and is not asked
 * again; one that is there but does not answer in time is asked again (up to {@link REPLAY_ATTEMPTS} times by default), and
 * an answer to any of those requests is taken.
 */
export class ReplayClient {
  readonly address: string;
  readonly #socket: Dealer;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  #nextId = 0;

  /** `attempts`: requests sent for one range before giving up on it (a caller with its own deadline and retries gives 1). */
  constructor(address: string, options: DealerOptions, timeoutMs: number, attempts: number = REPLAY_ATTEMPTS) {
    this.address = address;
    this.#timeoutMs = timeoutMs;
    this.#attempts = attempts;
    this.#socket = new Dealer({ ...options, sendTimeout: timeoutMs, receiveTimeout: timeoutMs, linger: 0, immediate: true });
    this.#socket.connect(address);
  }

  /**
   * The frames the endpoint still holds of positions `from..to` of one stream, in order; `undefined`
   * when it could not be asked (no connection within the timeout) or answered none of the requests (`attempts`)
   * within the timeout each.
   */
  async fetch(publisher: string, topic: string, from: number, to: number): Promise<Buffer[] | undefined> {
    const frames: Buffer[] = [];
    let start = from;
    while (start <= to) {
      const batch = await this.#ask(publisher, topic, start, to);
      if (batch === undefined) return frames.length > 0 ? frames : undefined;
      frames.push(...batch);
      const last = batch.at(-1);
      const position = last === undefined ? undefined : decodeMessageFrame(last)?.position;
      if (batch.length < REPLAY_BATCH || position === undefined) break;
      start = position.n + 1;
    }
    return frames;
  }

  close(): void {
    this.#socket.close();
  }

  async #ask(publisher: string, topic: string, from: number, to: number): Promise<Buffer[] | undefined> {
    const asked = new Set<string>();
    for (let attempt = 0; attempt < this.#attempts; attempt += 1) {
      this.#nextId += 1;
      const id = String(this.#nextId);
      try {
        await this.#socket.send([REPLAY_TAG, id, publisher, topic, String(from), String(to)]);
      } catch (error) {
        // No connection took the request within the timeout: nobody there to ask again.
        if (this.#socket.closed || (error as { code?: unknown }).code === 'EAGAIN') return undefined;
        throw error;
      }
      asked.add(id);
      const answer = await this.#answer(asked, Date.now() + this.#timeoutMs);
      if (answer !== undefined || this.#socket.closed) return answer;
    }
    return undefined;
  }

  /** The first answer to one of the `asked` requests before `deadline`; answers to earlier asks are skipped. */
  async #answer(asked: ReadonlySet<string>, deadline: number): Promise<Buffer[] | undefined> {
    try {
      while (Date.now() <= deadline) {
        const [tag, replyId, ...frames] = await this.#socket.receive();
        if (tag?.toString('latin1') === REPLAY_TAG && replyId !== undefined && asked.has(replyId.toString('latin1'))) return frames;
      }
    } catch (error) {
      if (this.#socket.closed || (error as { code?: unknown }).code === 'EAGAIN') return undefined;
      throw error;
    }
    return undefined;
  }
}
