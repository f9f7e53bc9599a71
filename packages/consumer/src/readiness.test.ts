import { describe, expect, it } from 'vitest';
import { assessReadiness, type ReadinessInput } from './readiness.js';

const NOW = 1_800_000_000_000;
const running: ReadinessInput = { state: 'running', connected: true, connectedSince: NOW - 120_000, lastMessageAt: NOW - 1_000, watchdogMs: 60_000, now: NOW };

describe(assessReadiness, () => {
  it('should be ready when running, connected and recently fed', () => {
    expect(assessReadiness(running)).toEqual({ ready: true, reasons: [] });
  });

  it.each([
    ['not running', { state: 'starting' as const }, /starting/u],
    ['not connected', { connected: false }, /not connected/u],
    ['silent past the watchdog', { lastMessageAt: NOW - 61_000 }, /watchdog: no message received for 61 s/u],
    ['never fed since connecting long ago', { lastMessageAt: undefined }, /watchdog/u],
  ])('should not be ready when %s', (_what, change, reason) => {
    const readiness = assessReadiness({ ...running, ...change });
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons.join('; ')).toMatch(reason);
  });

  it('should count the silence from a reconnection, not from before it', () => {
    expect(assessReadiness({ ...running, lastMessageAt: NOW - 600_000, connectedSince: NOW - 5_000 }).ready).toBe(true);
  });

  it('should not judge silence when disconnected or when the watchdog is off', () => {
    expect(assessReadiness({ ...running, lastMessageAt: NOW - 600_000, watchdogMs: 0 }).ready).toBe(true);
    expect(assessReadiness({ ...running, connected: false, lastMessageAt: NOW - 600_000 }).reasons).toEqual(['transport is not connected']);
  });
});
