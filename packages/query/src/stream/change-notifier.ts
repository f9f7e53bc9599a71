import { silentLogger, type Logger, type MessageStore } from '@statbus/core';

interface Waiter {
  readonly position: string;
  readonly wake: () => void;
}

/**
 * Tells change-feed readers when to read again, with one poll for all of them: while anyone waits, the
 * store's head position is read every `intervalMs` and every reader whose position differs is woken.
 * When the store offers `onInserted` (an archiver writing in this process), readers are woken at once.
 */
export class ChangeNotifier {
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unhook: (() => void) | undefined;
  private polling = false;

  constructor(
    private readonly store: MessageStore,
    private readonly intervalMs: number,
    private readonly logger: Logger = silentLogger,
  ) {
    this.unhook = store.onInserted?.(() => this.wakeAll());
  }

  /** Readers waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Resolves when the head may have moved past `position`, or when `signal` aborts. Never rejects. */
  wait(position: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        wake: () => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', waiter.wake);
          resolve();
        },
      };
      this.waiters.add(waiter);
      signal.addEventListener('abort', waiter.wake, { once: true });
      this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    });
  }

  /** Wakes every reader and stops polling. */
  close(): void {
    this.unhook?.();
    this.wakeAll();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private async poll(): Promise<void> {
    if (this.waiters.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.polling) return;
    this.polling = true;
    try {
      const head = await this.store.changesHead();
      for (const waiter of [...this.waiters]) if (waiter.position !== head) waiter.wake();
    } catch (error) {
      this.logger.warn({ err: error }, 'change feed: reading the head failed; polling on');
    } finally {
      this.polling = false;
    }
  }
}
