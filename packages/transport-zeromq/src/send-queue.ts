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
  #running = false;
  #idle: (() => void)[] = [];

  constructor(socket: SendableSocket) {
    this.#socket = socket;
  }

  /** Messages given and not yet queued by ZeroMQ. */
  get pending(): number {
    return this.#items.length - this.#head + (this.#running ? 1 : 0);
  }

  /** Resolves when ZeroMQ queued the message; rejects with the socket's error or the one given to {@link fail}. */
  send(frames: Buffer[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#items.push({ frames, resolve, reject });
      if (!this.#running) void this.#pump();
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
    if (!this.#running) this.#settleIdle();
  }

  async #pump(): Promise<void> {
    this.#running = true;
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head] as Pending;
      this.#head += 1;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      try {
        await this.#socket.send(item.frames);
        item.resolve();
      } catch (error) {
        item.reject(error);
      }
    }
    this.#running = false;
    this.#settleIdle();
  }

  #settleIdle(): void {
    if (this.pending !== 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
