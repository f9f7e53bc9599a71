import { readFileSync } from 'node:fs';
import {
  TransportError,
  redactUrl,
  type AmqpConfig,
  type Logger,
  type TransportCounterSet,
  type TransportStatus,
} from '@statbus/core';
import { connect as amqpConnect, type Channel, type ChannelModel } from 'amqplib';
import { connectionUrl, socketOptions, type AmqpSocketOptions } from './amqp-arguments.js';
import { abortableDelay, backoffDelay } from './backoff.js';
import { StallWatchdog } from './stall-watchdog.js';

/** Opens one AMQP connection; amqplib's `connect` unless a test gives another. */
export type OpenConnection = (url: string, options: AmqpSocketOptions) => Promise<ChannelModel>;

/** A part of the transport that needs channels on every connection (the publisher, each subscription). */
export interface SessionParticipant {
  /**
   * Sets itself up on a new connection after a reconnect. Never rejects: a participant that cannot
   * recover on a live connection reports it and gives up on its own.
   */
  attach(model: ChannelModel): Promise<void>;
}

/** What the session needs from its transport. */
export interface SessionOptions {
  readonly amqp: AmqpConfig;
  readonly logger: Logger;
  readonly counters: TransportCounterSet;
  readonly report: (status: TransportStatus) => void;
  readonly open?: OpenConnection;
  readonly readFile?: (path: string) => Buffer;
}

/**
 * Owns the AMQP connection: the first connect with its limited attempts, then, whenever the connection
 * is lost, reconnection with exponential backoff for as long as the transport is open. After each new
 * connection the participants set themselves up again (topology, channels, consumers), in the order
 * they joined. Every step is reported as status.
 */
export class AmqpSession {
  readonly address: string;
  readonly #amqp: AmqpConfig;
  readonly #logger: Logger;
  readonly #counters: TransportCounterSet;
  readonly #report: (status: TransportStatus) => void;
  readonly #open: OpenConnection;
  readonly #readFile: (path: string) => Buffer;
  readonly #participants = new Set<SessionParticipant>();
  readonly #abort = new AbortController();
  #model: ChannelModel | undefined;
  #reconnecting = false;
  #established = false;
  #lastError: Error | undefined;
  #watchdog: StallWatchdog | undefined;
  #readyWaiters: { resolve: (model: ChannelModel) => void; reject: (error: Error) => void }[] = [];

  constructor(options: SessionOptions) {
    this.#amqp = options.amqp;
    this.address = redactUrl(options.amqp.url);
    this.#logger = options.logger;
    this.#counters = options.counters;
    this.#report = options.report;
    this.#open = options.open ?? ((url, socket) => amqpConnect(url, socket));
    this.#readFile = options.readFile ?? ((path) => readFileSync(path));
  }

  /** The live connection, or `undefined` while disconnected. */
  get model(): ChannelModel | undefined {
    return this.#model;
  }

  get closing(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Aborted when the session closes: pending backoff delays wake up. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  add(participant: SessionParticipant): void {
    this.#participants.add(participant);
  }

  remove(participant: SessionParticipant): void {
    this.#participants.delete(participant);
  }

  /**
   * The first connection: up to `connect_attempts` tries with backoff between them. `setup` runs on the
   * new connection before it counts as connected (it declares the topology).
   *
   * @throws {TransportError} `ERR_CONNECTION` naming the address (password redacted) when every attempt
   *   failed, the TLS files cannot be read, or `setup` failed; `ERR_CLOSED` when closed meanwhile.
   */
  async connect(setup: (model: ChannelModel) => Promise<void>): Promise<void> {
    const { url, socket } = this.#target();
    const attempts = this.#amqp.connect_attempts;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (this.closing) throw new TransportError('ERR_CLOSED', 'The transport was closed while connecting', { address: this.address });
      let model: ChannelModel;
      try {
        model = await this.#open(url, socket);
      } catch (error) {
        lastError = error;
        // The caller gets one error naming the address and the last reason; each attempt is only a debug detail.
        this.#logger.debug({ address: this.address, attempt, attempts, reason: message(error) }, 'AMQP connection attempt failed');
        if (attempt < attempts) {
          const delayMs = backoffDelay(attempt, this.#backoff());
          this.#report({ type: 'reconnecting', address: this.address, attempt, delayMs });
          await abortableDelay(delayMs, this.signal);
        }
        continue;
      }
      this.#install(model);
      try {
        await setup(model);
      } catch (error) {
        this.#model = undefined;
        await model.close().catch(() => undefined);
        throw new TransportError('ERR_CONNECTION', `Connected to ${this.address} but could not set up the topology: ${message(error)}`, {
          address: this.address,
          cause: error,
        });
      }
      this.#connected(model);
      return;
    }
    throw new TransportError('ERR_CONNECTION', `Cannot connect to ${this.address} after ${attempts} attempt(s): ${message(lastError)}`, {
      address: this.address,
      cause: lastError,
    });
  }

  /**
   * Resolves with the live connection, at once or after the reconnection in progress.
   *
   * @throws {TransportError} `ERR_CLOSED` when the session closes first.
   */
  ready(): Promise<ChannelModel> {
    if (this.#model !== undefined && !this.#reconnecting) return Promise.resolve(this.#model);
    if (this.closing) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /** Closes the connection (participants close their channels first). Idempotent. */
  async close(): Promise<void> {
    if (!this.closing) this.#abort.abort();
    this.#watchdog?.stop();
    const waiters = this.#readyWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(this.#closedError());
    const model = this.#model;
    this.#model = undefined;
    if (model !== undefined) await model.close().catch(() => undefined);
  }

  #target(): { url: string; socket: AmqpSocketOptions } {
    try {
      const url = connectionUrl(this.#amqp);
      return { url, socket: socketOptions(this.#amqp, this.#readFile, `statbus ${process.pid}`) };
    } catch (error) {
      throw new TransportError('ERR_CONNECTION', `Invalid AMQP settings for ${this.address}: ${message(error)}`, { address: this.address, cause: error });
    }
  }

  #backoff(): { initialMs: number; maxMs: number } {
    return { initialMs: this.#amqp.reconnect_initial_ms, maxMs: this.#amqp.reconnect_max_ms };
  }

  #closedError(): TransportError {
    return new TransportError('ERR_CLOSED', 'The transport is closed', { address: this.address });
  }

  #install(model: ChannelModel): void {
    this.#model = model;
    this.#lastError = undefined;
    model.on('error', (error: Error) => {
      // 'close' follows with this error: the loss is logged once, there.
      this.#lastError = error;
      this.#logger.debug({ address: this.address, reason: message(error) }, 'AMQP connection error');
    });
    model.on('close', (error?: Error) => this.#lost(model, error ?? this.#lastError));
    model.on('blocked', (reason: string) => this.#logger.warn({ address: this.address, reason }, 'RabbitMQ blocked the connection'));
    model.on('unblocked', () => this.#logger.info({ address: this.address }, 'RabbitMQ unblocked the connection'));
  }

  #connected(model: ChannelModel): void {
    if (this.#established) this.#logger.info({ address: this.address }, 'AMQP connection restored');
    else this.#logger.debug({ address: this.address }, 'AMQP connected');
    this.#established = true;
    this.#report({ type: 'connected', address: this.address });
    this.#watch(model);
    const waiters = this.#readyWaiters.splice(0);
    for (const waiter of waiters) waiter.resolve(model);
  }

  /**
   * Watches the new connection for a stall (see `StallWatchdog`, `stall_timeout_ms`): the probe is a
   * basic.qos on a channel of its own, an answer that changes nothing. A stall is reported as
   * `disconnected` (so readiness follows it) and the end of one as `connected`.
   */
  #watch(model: ChannelModel): void {
    this.#watchdog?.stop();
    this.#watchdog = undefined;
    const timeoutMs = this.#amqp.stall_timeout_ms;
    if (timeoutMs === 0 || this.closing) return;
    let channel: Channel | undefined;
    const probe = async (): Promise<void> => {
      if (channel === undefined) {
        const opened = await model.createChannel();
        opened.on('error', () => undefined);
        opened.on('close', () => {
          if (channel === opened) channel = undefined;
        });
        channel = opened;
      }
      await channel.prefetch(0);
    };
    const watchdog = new StallWatchdog({
      timeoutMs,
      probe,
      onStall: (silentMs) => {
        if (model !== this.#model) return;
        const error = new TransportError('ERR_CONNECTION', `${this.address} has not answered for ${silentMs} ms: the connection is stalled`, { address: this.address });
        this.#logger.warn({ address: this.address, silentMs }, `AMQP connection to ${this.address} stalled: no answer for ${silentMs} ms`);
        this.#report({ type: 'disconnected', address: this.address, error });
      },
      onResume: () => {
        if (model !== this.#model) return;
        this.#logger.info({ address: this.address }, `AMQP connection to ${this.address} answers again`);
        this.#report({ type: 'connected', address: this.address });
      },
    });
    this.#watchdog = watchdog;
    watchdog.start();
  }

  #lost(model: ChannelModel, error: Error | undefined): void {
    if (model !== this.#model) return;
    this.#model = undefined;
    this.#watchdog?.stop();
    this.#watchdog = undefined;
    if (this.closing || !this.#established) return;
    this.#logger.warn({ address: this.address, reason: describeLoss(error) }, `AMQP connection to ${this.address} lost (${describeLoss(error)}); reconnecting`);
    this.#report(error === undefined ? { type: 'disconnected', address: this.address } : { type: 'disconnected', address: this.address, error });
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      const { url, socket } = this.#target();
      let attempt = 0;
      while (!this.closing) {
        attempt += 1;
        const delayMs = backoffDelay(attempt, this.#backoff());
        this.#report({ type: 'reconnecting', address: this.address, attempt, delayMs });
        await abortableDelay(delayMs, this.signal);
        if (this.closing) return;
        let model: ChannelModel;
        try {
          model = await this.#open(url, socket);
        } catch (error) {
          this.#logger.debug({ address: this.address, attempt, reason: message(error) }, 'AMQP reconnection attempt failed');
          continue;
        }
        if (this.closing) {
          await model.close().catch(() => undefined);
          return;
        }
        this.#install(model);
        this.#counters.reconnects += 1;
        for (const participant of [...this.#participants]) {
          if (this.#model !== model) break;
          await participant.attach(model);
        }
        if (this.#model === model) {
          this.#reconnecting = false;
          this.#connected(model);
          return;
        }
        attempt = 0;
      }
    } catch (error) {
      this.#report({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      this.#reconnecting = false;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why a connection went away, in words that blame the right party: the broker only when it said so (a
 * connection.close with its code), otherwise the link (socket closed or reset, no heartbeat).
 */
export function describeLoss(error: Error | undefined): string {
  if (error === undefined) return 'closed without a reason';
  const text = error.message;
  if (/heartbeat/iu.test(text)) return 'no heartbeat within the agreed interval: the network path or the broker stopped answering';
  if (/CONNECTION_FORCED|Connection closed: \d{3}/u.test(text)) return `the broker closed it: ${text}`;
  if (/Unexpected close|ECONNRESET|EPIPE|ETIMEDOUT|socket/iu.test(text)) return `the TCP connection was lost: ${text}`;
  return text;
}
