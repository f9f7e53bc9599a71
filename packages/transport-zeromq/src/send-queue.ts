/** The part of a ZeroMQ socket a {@link SendQueue} uses. */
export interface SendableSocket {
  send(frames: Buffer[]): Promise<void>;
}

interface Pending {
  readonly frames: Buffer[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Serialises sends on one socket: ZeroMQ allows one pending `send()` per socket and rejects a second
 * one with `EBUSY`. Each message is sent in the order given; its promise resolves when ZeroMQ queued it.
 */
export class SendQueue {
  readonly #socket: SendableSocket;
  #items: Pending[] = [];
  #head = 0;
  /** The message handed to the socket and not yet settled by it. */
  #current: Pending | undefined;
  #idle: (() => void)[] = [];
  // Bound once: the next send is issued from the settlement of the previous one, with no extra
  // microtask hop and no closure per message.
  readonly #sent = (): void => {
    const item = this.#current as Pending;
    this.#current = undefined;
    item.resolve();
    this.#next();
  };
  readonly #failed = (error: unknown): void => {
    const item = this.#current as Pending;
    this.#current = undefined;
    item.reject(error);
    this.#next();
  };

  constructor(socket: SendableSocket) {
    this.#socket = socket;
  }

  /** Messages given and not yet queued by ZeroMQ. */
  get pending(): number {
    return this.#items.length - this.#head + (this.#current === undefined ? 0 : 1);
  }

  /** Resolves when ZeroMQ queued the message; rejects with the socket's error or the one given to {@link fail}. */
  send(frames: Buffer[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#items.push({ frames, resolve, reject });
      if (this.#current === undefined) this.#next();
    });
  }

  /** Resolves when nothing is pending. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Rejects every message not yet handed to the socket. */
  fail(error: Error): void {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    for (const item of rest) item.reject(error);
    if (this.#current === undefined) this.#settleIdle();
  }

  #next(): void {
    if (this.#head === this.#items.length) {
      if (this.#head !== 0) {
        this.#items = [];
        this.#head = 0;
      }
      this.#settleIdle();
      return;
    }
    const item = this.#items[this.#head] as Pending;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#current = item;
    let sending: Promise<void>;
    try {
      sending = this.#socket.send(item.frames);
    } catch (error) {
      // zeromq.js throws synchronously for a closed socket. Settled asynchronously all the same, so
      // that a long queue failing at once does not recurse.
      sending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
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
