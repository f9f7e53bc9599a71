import { setTimeout as delay } from 'node:timers/promises';
import { StatbusError, createEnvelope, type Delivery, type Envelope, type Logger, type Subscription, type Transport, type TransportStatus } from '@statbus/core';
import { OverflowLedger } from './overflow-ledger.js';
import { SeenIds } from './seen-ids.js';

/** The header a bridge adds to what it carries (unsigned messages only): the side it came from. */
export const BRIDGED_HEADER = 'bridged-from';

/** The two sides of a bridge. */
export type BridgeSide = 'zeromq' | 'amqp';

/** Defaults of {@link BridgeOptions}. */
export const BRIDGE_DEFAULTS = {
  patterns: ['#'],
  queue: 'statbus.bridge',
  bufferSize: 10_000,
  memory: 100_000,
  retryInitialMs: 200,
  retryMaxMs: 10_000,
  direction: 'both',
} as const;

/** Which way a bridge carries messages. */
export type BridgeDirection = 'both' | 'zeromq-to-amqp' | 'amqp-to-zeromq';

/** How a {@link Bridge} runs; every field has a default in {@link BRIDGE_DEFAULTS}. */
export interface BridgeOptions {
  /** Topic patterns carried, both ways. */
  readonly patterns?: readonly string[];
  /** The AMQP queue the bridge consumes from (durable: what is published while the bridge is down waits there). */
  readonly queue?: string;
  /** Messages from ZeroMQ waiting for AMQP (not yet confirmed) at most; more are dropped and reported as lost. */
  readonly bufferSize?: number;
  /** Message ids remembered to tell what the bridge already carried (no loops, no duplicates). */
  readonly memory?: number;
  /** Backoff between tries of a side that is down. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Both ways (default), or one: two one-way bridges do not loop either (the `bridged-from` header). */
  readonly direction?: BridgeDirection;
}

/** What a side is doing. */
export type SideState = 'connecting' | 'up' | 'down' | 'stopped';

/** Running totals of a {@link Bridge}. */
export interface BridgeCounters {
  /** Messages from ZeroMQ the broker confirmed. */
  readonly toAmqp: number;
  /** Messages from AMQP queued on the ZeroMQ publisher. */
  readonly toZeromq: number;
  /** Messages received that a bridge had put on this side (marked, or carried by this one): not carried back. */
  readonly looped: number;
  /** Messages received again (same id) after this bridge carried them: not carried twice. */
  readonly duplicates: number;
  /** Messages from ZeroMQ dropped because the buffer toward AMQP was full, or not confirmed when the bridge stopped. */
  readonly lost: number;
  /** Messages one side refused (logged each). */
  readonly failed: number;
  /** Holes in ZeroMQ producer sequences, and the messages they miss. */
  readonly gaps: number;
  readonly missed: number;
}

function errorOf(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Carries messages between a ZeroMQ bus and an AMQP broker, both ways at once, as Fedora's fedmsg ↔ AMQP
 * migration bridges did: ids, times, producers and bodies kept; a carried message gets a `bridged-from` header
 * (unless it is signed: a header would break its signature) and the bridge remembers the ids it carried, so
 * nothing is carried back (no loops, with two bridges as with one) nor twice. Toward AMQP a bounded buffer
 * absorbs a slow or absent broker; what overflows it is counted and logged as lost, per producer with its seq
 * range. A side that is down is logged and tried again with backoff; the bridge never stops for it.
 */
export class Bridge {
  readonly #zeromq: Transport;
  readonly #amqp: Transport;
  readonly #log: Logger;
  readonly #options: Required<BridgeOptions>;
  readonly #carried: SeenIds;
  readonly #ledger = new OverflowLedger();
  readonly #buffer: Envelope[] = [];
  readonly #stopping = new AbortController();
  readonly #state: Record<BridgeSide, SideState> = { zeromq: 'connecting', amqp: 'connecting' };
  readonly #totals = { toAmqp: 0, toZeromq: 0, looped: 0, duplicates: 0, lost: 0, failed: 0, gaps: 0, missed: 0 };
  readonly #subscriptions: Subscription[] = [];
  readonly #running: Promise<unknown>[] = [];
  #inFlight = 0;
  #amqpConnected = false;
  #zeromqUp!: () => void;
  readonly #zeromqReady = new Promise<void>((resolve) => {
    this.#zeromqUp = resolve;
  });

  constructor(zeromq: Transport, amqp: Transport, logger: Logger, options: BridgeOptions = {}) {
    this.#zeromq = zeromq;
    this.#amqp = amqp;
    this.#log = logger.child({ component: 'bridge' });
    this.#options = { ...BRIDGE_DEFAULTS, ...options };
    this.#carried = new SeenIds(this.#options.memory);
  }

  /** Starts both sides (each retried until it is up) and returns at once; watch {@link state}. */
  start(): void {
    const { direction } = this.#options;
    this.#running.push(this.#watch('zeromq', this.#zeromq), this.#watch('amqp', this.#amqp));
    this.#running.push(
      this.#bringUp('zeromq', async () => {
        await this.#zeromq.connect();
        this.#zeromqUp();
        if (direction === 'amqp-to-zeromq') return undefined;
        const subscription = await this.#zeromq.subscribe(this.#options.patterns, { prefetch: 1_000_000 });
        this.#running.push(this.#fromZeromq(subscription));
        return subscription;
      }),
      this.#bringUp('amqp', async () => {
        await this.#amqp.connect();
        // Once connected, the transport itself holds and resends what a later connection loss leaves unconfirmed.
        this.#amqpConnected = true;
        this.#pump();
        if (direction === 'zeromq-to-amqp') return undefined;
        return this.#amqp.subscribe(this.#options.patterns, { queue: this.#options.queue, handler: (delivery) => this.#fromAmqp(delivery) });
      }),
    );
  }

  /** What each side is doing. */
  state(): Readonly<Record<BridgeSide, SideState>> {
    return { ...this.#state };
  }

  counters(): BridgeCounters {
    return { ...this.#totals };
  }

  /** Messages from ZeroMQ not yet confirmed by AMQP. */
  get pending(): number {
    return this.#buffer.length + this.#inFlight;
  }

  /**
   * Stops taking messages on both sides and closes its subscriptions; what is still buffered toward AMQP is
   * reported as lost. The transports stay open: close them after (AMQP's close waits for pending confirms).
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#zeromqUp();
    await Promise.all(this.#subscriptions.map((subscription) => subscription.close()));
    this.#reportLost('the buffer toward AMQP was full');
    for (const envelope of this.#buffer.splice(0)) this.#lose(envelope);
    this.#reportLost('the bridge stopped');
    this.#state.zeromq = 'stopped';
    this.#state.amqp = 'stopped';
    this.#log.info(this.counters(), 'bridge stopped');
  }

  async #bringUp(side: BridgeSide, up: () => Promise<Subscription | undefined>): Promise<void> {
    for (let attempt = 1; !this.#stopping.signal.aborted; attempt += 1) {
      try {
        const subscription = await up();
        if (this.#stopping.signal.aborted) {
          await subscription?.close();
          return;
        }
        if (subscription !== undefined) this.#subscriptions.push(subscription);
        this.#state[side] = 'up';
        this.#log.info({ side, patterns: this.#options.patterns }, `bridge: the ${side} side is up`);
        return;
      } catch (error) {
        if (this.#stopping.signal.aborted) return;
        const retryInMs = Math.min(this.#options.retryMaxMs, this.#options.retryInitialMs * 2 ** Math.min(attempt - 1, 20));
        this.#state[side] = 'down';
        const why = error instanceof StatbusError ? `${error.code}: ${error.message}` : errorOf(error).message;
        this.#log.warn({ side, attempt, retryInMs, err: errorOf(error) }, `bridge: the ${side} side is down (${why}); trying again`);
        await delay(retryInMs, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
      }
    }
  }

  async #watch(side: BridgeSide, transport: Transport): Promise<void> {
    for await (const status of transport.status()) {
      if (this.#stopping.signal.aborted && status.type !== 'closed') continue;
      this.#onStatus(side, status);
    }
  }

  #onStatus(side: BridgeSide, status: TransportStatus): void {
    switch (status.type) {
      case 'gap':
        this.#totals.gaps += 1;
        this.#totals.missed += status.missed;
        this.#log.warn({ side, ...status }, `bridge: ${status.missed} message(s) of ${status.producer} lost on ZeroMQ before the bridge (seq ${status.from}..${status.to})`);
        return;
      case 'disconnected':
        if (this.#state[side] === 'up') this.#state[side] = 'down';
        this.#log.warn({ side, address: status.address, err: status.error }, `bridge: the ${side} side disconnected`);
        return;
      case 'connected':
        if (this.#state[side] === 'down') this.#state[side] = 'up';
        return;
      case 'dropped':
        this.#log.warn({ side, reason: status.reason, err: status.error }, `bridge: dropped a message received on the ${side} side`);
        return;
      default:
        return;
    }
  }

  async #fromZeromq(subscription: Subscription): Promise<void> {
    for await (const delivery of subscription) {
      await delivery.ack();
      this.#carry('zeromq', delivery.envelope);
    }
  }

  #carry(from: BridgeSide, envelope: Envelope): boolean {
    if (envelope.headers[BRIDGED_HEADER] !== undefined) {
      this.#totals.looped += 1;
      return false;
    }
    if (this.#carried.has(envelope.id)) {
      this.#totals.duplicates += 1;
      return false;
    }
    if (from === 'amqp') {
      this.#carried.add(envelope.id);
      return true;
    }
    if (this.pending >= this.#options.bufferSize) {
      if (!this.#ledger.open) {
        this.#log.warn({ buffered: this.pending, amqp: this.#state.amqp }, 'bridge: the buffer toward AMQP is full: dropping messages from ZeroMQ until there is room');
      }
      this.#lose(envelope);
      return false;
    }
    this.#reportLost('the buffer toward AMQP was full');
    this.#carried.add(envelope.id);
    this.#buffer.push(marked(envelope, from));
    this.#pump();
    return true;
  }

  #pump(): void {
    if (!this.#amqpConnected) return;
    while (this.#buffer.length > 0) {
      const envelope = this.#buffer.shift() as Envelope;
      this.#inFlight += 1;
      this.#amqp.publish(envelope).then(
        () => {
          this.#inFlight -= 1;
          this.#totals.toAmqp += 1;
        },
        (error: unknown) => {
          this.#inFlight -= 1;
          const code = error instanceof StatbusError ? error.code : undefined;
          if (code === 'ERR_CONNECTION' && !this.#stopping.signal.aborted) {
            // Not connected (yet): keep it for when the side is up.
            this.#buffer.unshift(envelope);
            return;
          }
          if (code === 'ERR_CLOSED') {
            this.#lose(envelope);
            this.#reportLost('the AMQP side closed before confirming them');
            return;
          }
          this.#totals.failed += 1;
          this.#log.error({ err: errorOf(error), id: envelope.id, topic: envelope.topic }, 'bridge: AMQP refused a message from ZeroMQ');
        },
      );
    }
  }

  async #fromAmqp(delivery: Delivery): Promise<void> {
    const envelope = delivery.envelope;
    if (!this.#carry('amqp', envelope)) return;
    try {
      await this.#zeromqReady;
      if (this.#stopping.signal.aborted) throw new Error('the bridge is stopping');
      await this.#zeromq.publish(marked(envelope, 'amqp'));
      this.#totals.toZeromq += 1;
    } catch (error) {
      // Nacked and delivered again: then it must not look carried already.
      this.#carried.delete(envelope.id);
      this.#totals.failed += 1;
      this.#log.error({ err: errorOf(error), id: envelope.id, topic: envelope.topic }, 'bridge: ZeroMQ refused a message from AMQP');
      throw error;
    }
  }

  #lose(envelope: Envelope): void {
    this.#totals.lost += 1;
    this.#ledger.drop(envelope);
  }

  #reportLost(why: string): void {
    if (!this.#ledger.open) return;
    for (const range of this.#ledger.take()) {
      this.#log.warn({ ...range }, `bridge: lost ${range.count} message(s) of ${range.producer} from ZeroMQ (seq ${range.from}..${range.to}): ${why}`);
    }
  }
}

/** `envelope` with the bridge's header, unless it is signed (a header would break its signature: the bridge's memory of ids stands alone then). */
function marked(envelope: Envelope, from: BridgeSide): Envelope {
  if (envelope.signature !== undefined) return envelope;
  return createEnvelope({ ...envelope, headers: { ...envelope.headers, [BRIDGED_HEADER]: from } });
}
