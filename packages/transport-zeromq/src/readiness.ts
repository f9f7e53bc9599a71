import type { SocketMonitor } from './socket-monitor.js';

/** The outcome of {@link waitUntilReady}. */
export interface Readiness {
  /** True when every reachable publisher answered before the timeout. */
  readonly ready: boolean;
  readonly up: number;
  readonly replies: number;
}

/**
 * Waits until no connection of a subscriber is still being attempted and at least as many publishers
 * (or relays) answered its probe as it has connections up: each answer proves that the subscriber's
 * topic prefixes reached that publisher, because a socket handles a peer's subscriptions in order and
 * the probe prefix is the last one. Resolves with `ready: false` after `timeoutMs`.
 */
export function waitUntilReady(monitor: SocketMonitor, replies: () => number, onReply: (listener: () => void) => () => void, timeoutMs: number): Promise<Readiness> {
  return new Promise((resolve) => {
    const check = (force: boolean): void => {
      const states = [...monitor.states().values()];
      const up = states.filter((state) => state === 'up').length;
      const settled = !states.includes('pending') && replies() >= up;
      if (!settled && !force) return;
      clearTimeout(timer);
      stopStates();
      stopReplies();
      resolve({ ready: settled, up, replies: replies() });
    };
    const timer = setTimeout(() => check(true), timeoutMs);
    const stopStates = monitor.onChange(() => check(false));
    const stopReplies = onReply(() => check(false));
    check(false);
  });
}
