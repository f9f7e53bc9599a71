/** The part of a ZeroMQ socket a {@link SendQueue} uses. */
export interface SendableSocket {
  send(frames: Frames): Promise<void>;
}

/** One message for a socket: one frame or several, each bytes or text (sent as its UTF-8). */
export type Frames = Buffer | string | (Buffer | string)[];

/** How a {@link SendQueue} hands messages to its socket. */
export interface SendQueueOptions {
  /**
   * The socket never blocks a send (ZMQ_SNDTIMEO 0 on a PUB/XPUB socket that drops at its high-water
   * mark), so zeromq.js sends synchronously and messages can be handed over without waiting for the
   * previous one. Default false: one send at a time, each after the previous one settled.
   */
  readonly immediate?: boolean;
  /**
   * In immediate mode, how many messages are handed over per event-loop turn; later ones wait for the next
   * turn, so that the process's own sockets (a subscriber in the same process) get to read, and a publisher
   * does not outrun them into their high-water marks. Default 1,024: a tenth of the default high-water mark,
   * and at least a usual window of unsettled publishes (1,000), whose frames then never wait in the queue,
   * where each would outlive a young-generation collection and be copied by it. The price: a turn that sends a
   * full budget holds the event loop for that many sends.
   */
  readonly turnBudget?: number;
  /**
   * One-at-a-time mode: what to do when ZeroMQ answers `EAGAIN` (the socket is at its high-water mark and,
   * like an XPUB with ZMQ_XPUB_NODROP, cannot wait for room itself). Without it the send fails.
   */
  readonly whenFull?: WhenFull;
}

/** See {@link SendQueueOptions.whenFull}. */
export interface WhenFull {
  /** `wait`: try again, with growing pauses, until there is room or `timeoutMs` passed (-1: forever); `drop`: give up at once. */
  readonly mode: 'wait' | 'drop';
  readonly timeoutMs: number;
  /** The error a message is rejected with when it was dropped (mode `drop`) or waited past `timeoutMs`. */
  readonly error: (cause: unknown, waitedMs: number) => Error;
}

/** The longest pause between two tries of a message waiting for room at the high-water mark. */
const MAX_RETRY_PAUSE_MS = 16;

/** True for ZeroMQ's `EAGAIN`: no room at the high-water mark. */
export function isFullError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EAGAIN';
}

/** Default of {@link SendQueueOptions.turnBudget}. */
export const DEFAULT_TURN_BUDGET = 1024;

interface Pending {
  readonly frames: Frames;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function asRejection(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}

/**
 * Serialises sends on one socket: ZeroMQ allows one pending `send()` per socket and rejects a second
 * one with `EBUSY`. Each message is sent in the order given; its promise resolves when ZeroMQ queued it.
 *
 * In immediate mode zeromq.js completes each send synchronously, so several can be handed over in a row
 * without waiting for the previous promise; a send that nothing waits before returns zeromq.js's own
 * promise, with no promise of the queue's.
 */
export class SendQueue {
  readonly #socket: SendableSocket;
  readonly #immediate: boolean;
  readonly #turnBudget: number;
  #items: Pending[] = [];
  #head = 0;
  /** The message handed to the socket and not yet settled by it (one-at-a-time mode). */
  #current: Pending | undefined;
  #idle: (() => void)[] = [];
  /** Immediate mode: messages handed over in this event-loop turn, and whether the next turn is scheduled. */
  #sentThisTurn = 0;
  #turnScheduled = false;
  #failure: Error | undefined;
  // Bound once: the next send is issued from the settlement of the previous one, with no extra
  // microtask hop and no closure per message.
  readonly #sent = (): void => {
    const item = this.#current as Pending;
    this.#fullSince = 0;
    this.#current = undefined;
    item.resolve();
    this.#next();
  };
  readonly #failed = (error: unknown): void => {
    const item = this.#current as Pending;
    if (this.#whenFull !== undefined && isFullError(error) && this.#failure === undefined && this.#retryFull(item, error)) return;
    this.#current = undefined;
    item.reject(error);
    this.#next();
  };
  /** When the message at the head first met a full socket (0: it did not). */
  #fullSince = 0;
  #retryPause = 1;
  readonly #whenFull: WhenFull | undefined;
  readonly #retry = (): void => {
    const item = this.#current as Pending;
    if (this.#failure !== undefined) {
      this.#failed(this.#failure);
      return;
    }
    this.#sendCurrent(item);
  };
  readonly #turn = (): void => {
    this.#turnScheduled = false;
    this.#sentThisTurn = 0;
    while (this.#head < this.#items.length && this.#sentThisTurn < this.#turnBudget) {
      const item = this.#shift();
      this.#handOver(item.frames).then(item.resolve, item.reject);
    }
    if (this.#sentThisTurn > 0) this.#scheduleTurn();
    this.#settleIdle();
  };

  constructor(socket: SendableSocket, options: SendQueueOptions = {}) {
    this.#socket = socket;
    this.#immediate = options.immediate ?? false;
    this.#turnBudget = options.turnBudget ?? DEFAULT_TURN_BUDGET;
    this.#whenFull = options.whenFull;
  }

  /** Messages given and not yet handed to ZeroMQ (or, one at a time, not yet queued by it). */
  get pending(): number {
    return this.#items.length - this.#head + (this.#current === undefined ? 0 : 1);
  }

  /** Resolves when ZeroMQ queued the message; rejects with the socket's error or the one given to {@link fail}. */
  send(frames: Frames): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#immediate && this.#head === this.#items.length && this.#sentThisTurn < this.#turnBudget) return this.#handOver(frames);
    return new Promise<void>((resolve, reject) => {
      this.#items.push({ frames, resolve, reject });
      if (this.#immediate) this.#scheduleTurn();
      else if (this.#current === undefined) this.#next();
    });
  }

  /** Resolves when nothing is pending. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Rejects every message not yet handed to the socket, and every later one. */
  fail(error: Error): void {
    this.#failure = error;
    const rest = this.#take();
    for (const item of rest) item.reject(error);
    if (this.#current === undefined) this.#settleIdle();
  }

  #take(): Pending[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }

  #shift(): Pending {
    const item = this.#items[this.#head] as Pending;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  #scheduleTurn(): void {
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    setImmediate(this.#turn);
  }

  #handOver(frames: Frames): Promise<void> {
    this.#sentThisTurn += 1;
    this.#scheduleTurn();
    try {
      return this.#socket.send(frames);
    } catch (error) {
      // zeromq.js throws synchronously for a closed socket.
      return asRejection(error);
    }
  }

  #next(): void {
    if (this.#head === this.#items.length) {
      this.#settleIdle();
      return;
    }
    const item = this.#shift();
    this.#current = item;
    this.#sendCurrent(item);
  }

  /**
   * Keeps `item` at the head and tries it again after a pause (doubling up to {@link MAX_RETRY_PAUSE_MS}),
   * unless the mode is `drop` or it waited `timeoutMs`; false when it must fail now.
   */
  #retryFull(item: Pending, cause: unknown): boolean {
    const whenFull = this.#whenFull as WhenFull;
    const now = Date.now();
    if (this.#fullSince === 0) {
      this.#fullSince = now;
      this.#retryPause = 1;
    }
    const waited = now - this.#fullSince;
    if (whenFull.mode === 'drop' || (whenFull.timeoutMs >= 0 && waited >= whenFull.timeoutMs)) {
      // #fullSince stays: while the socket stays full, the next messages fail at once rather than each
      // waiting the whole timeout again; the first send that goes through resets it.
      this.#current = undefined;
      item.reject(whenFull.error(cause, waited));
      this.#next();
      return true;
    }
    setTimeout(this.#retry, this.#retryPause);
    this.#retryPause = Math.min(this.#retryPause * 2, MAX_RETRY_PAUSE_MS);
    return true;
  }

  #sendCurrent(item: Pending): void {
    let sending: Promise<void>;
    try {
      sending = this.#socket.send(item.frames);
    } catch (error) {
      // Settled asynchronously all the same, so that a long queue failing at once does not recurse.
      sending = asRejection(error);
    }
    sending.then(this.#sent, this.#failed);
  }

  #settleIdle(): void {
    if (this.pending !== 0 || this.#idle.length === 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
