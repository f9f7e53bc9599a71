/** What a {@link StallWatchdog} needs. */
export interface StallWatchdogOptions {
  /** No answer to a probe for this long (ms) is a stall. */
  readonly timeoutMs: number;
  /** One round trip to the broker; resolves (or rejects) when the broker answered. */
  readonly probe: () => Promise<unknown>;
  /** The broker has not answered for `silentMs`: called once per stall. */
  readonly onStall: (silentMs: number) => void;
  /** The broker answered again after a stall. */
  readonly onResume: () => void;
  /** The clock (ms); tests give their own. */
  readonly now?: () => number;
}

/** How many probes a stall timeout holds: a stall is seen at most a fifth of the timeout late. */
const PROBES_PER_TIMEOUT = 5;
const MIN_INTERVAL_MS = 50;

/**
 * Notices a connection gone silent long before AMQP heartbeats do (they need two missed intervals of whole
 * seconds, and the broker may ask for a long one): it keeps one cheap round trip to the broker outstanding
 * at a time and calls `onStall` once the answer is `timeoutMs` late, `onResume` when it comes after all.
 * It closes nothing: a path that comes back loses nothing, and a dead one is still closed by heartbeats.
 *
 * A tick that comes late (the event loop was busy) only restarts the count: the answer may be sitting
 * unread in the socket, and a busy process is not a stalled broker.
 */
export class StallWatchdog {
  readonly #options: StallWatchdogOptions;
  readonly #now: () => number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #outstandingSince: number | undefined;
  #lastTick = 0;
  #stalled = false;
  #stopped = false;

  constructor(options: StallWatchdogOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = Math.max(MIN_INTERVAL_MS, Math.floor(options.timeoutMs / PROBES_PER_TIMEOUT));
  }

  /** True between `onStall` and `onResume`. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Starts probing (one probe at once, then one per tick while none is outstanding). */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#lastTick = this.#now();
    this.#timer = setInterval(() => this.tick(), this.#intervalMs);
    this.#timer.unref();
    this.tick();
  }

  /** Stops for good; no callback follows. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One check: sends a probe when none is outstanding, or judges the one that is. Exposed for tests. */
  tick(): void {
    if (this.#stopped) return;
    const now = this.#now();
    const late = now - this.#lastTick > 2 * this.#intervalMs;
    this.#lastTick = now;
    const since = this.#outstandingSince;
    if (since === undefined) {
      this.#send(now);
      return;
    }
    if (late) {
      this.#outstandingSince = Math.max(since, now - this.#intervalMs);
      return;
    }
    if (!this.#stalled && now - since >= this.#options.timeoutMs) {
      this.#stalled = true;
      this.#options.onStall(now - since);
    }
  }

  #send(now: number): void {
    this.#outstandingSince = now;
    const answered = (): void => {
      if (this.#stopped) return;
      this.#outstandingSince = undefined;
      if (this.#stalled) {
        this.#stalled = false;
        this.#options.onResume();
      }
    };
    // A refusal is an answer too; a probe that fails because the connection closed is the session's to report.
    this.#options.probe().then(answered, answered);
  }
}
