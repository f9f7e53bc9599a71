/** The life cycle of a consumer hub. */
export type HubState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What readiness is judged from. */
export interface ReadinessInput {
  readonly state: HubState;
  /** The transport's last connection status was `connected`. */
  readonly connected: boolean;
  /** Since when (ms) it has been connected. */
  readonly connectedSince: number | undefined;
  /** When the last message was received (ms). */
  readonly lastMessageAt: number | undefined;
  /** `[consumer] watchdog_s` in ms; 0 disables the watchdog. */
  readonly watchdogMs: number;
  readonly now: number;
}

/** Whether the hub should receive traffic, and if not, why. */
export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/**
 * Ready when running, connected, and — with a watchdog — having received a message within `watchdog_s`
 * (counted from the later of the last message and the last connection). The watchdog is how a consumer
 * that stopped receiving while looking healthy gets noticed (fedora-messaging issue #208).
 */
export function assessReadiness(input: ReadinessInput): Readiness {
  const reasons: string[] = [];
  if (input.state !== 'running') reasons.push(`consumer is ${input.state}`);
  if (!input.connected) reasons.push('transport is not connected');
  if (input.state === 'running' && input.connected && input.watchdogMs > 0) {
    const since = Math.max(input.lastMessageAt ?? 0, input.connectedSince ?? 0);
    const silentMs = input.now - since;
    if (silentMs > input.watchdogMs) {
      reasons.push(`watchdog: no message received for ${Math.round(silentMs / 1000)} s (watchdog_s = ${input.watchdogMs / 1000})`);
    }
  }
  return { ready: reasons.length === 0, reasons };
}
