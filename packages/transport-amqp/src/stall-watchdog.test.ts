import { describe, expect, it } from 'vitest';
import { StallWatchdog } from './stall-watchdog.js';

function harness(timeoutMs = 1000): {
  watchdog: StallWatchdog;
  clock: { now: number };
  probes: { answer: () => void }[];
  events: string[];
} {
  const clock = { now: 0 };
  const probes: { answer: () => void }[] = [];
  const events: string[] = [];
  const watchdog = new StallWatchdog({
    timeoutMs,
    now: () => clock.now,
    probe: () => new Promise<void>((resolve) => probes.push({ answer: resolve })),
    onStall: (silentMs) => events.push(`stall ${silentMs}`),
    onResume: () => events.push('resume'),
  });
  return { watchdog, clock, probes, events };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(StallWatchdog, () => {
  describe('.tick', () => {
    it('should keep one probe outstanding and say nothing while the broker answers', async () => {
      const { watchdog, clock, probes, events } = harness();
      for (let step = 0; step < 10; step += 1) {
        watchdog.tick();
        clock.now += 200;
        probes.at(-1)?.answer();
        await settle();
      }
      expect(probes).toHaveLength(10);
      expect(events).toEqual([]);
    });

    it('should report a stall once when an answer is a timeout late, and the resumption when it comes', async () => {
      const { watchdog, clock, probes, events } = harness();
      watchdog.tick();
      for (let step = 0; step < 10; step += 1) {
        clock.now += 200;
        watchdog.tick();
      }
      expect(probes).toHaveLength(1);
      expect(events).toEqual(['stall 1000']);
      expect(watchdog.stalled).toBe(true);
      probes[0]?.answer();
      await settle();
      expect(events).toEqual(['stall 1000', 'resume']);
      expect(watchdog.stalled).toBe(false);
    });

    describe('when a tick comes late (the event loop was busy)', () => {
      it('should not call a stall before the answer could be read', () => {
        const { watchdog, clock, events } = harness();
        watchdog.tick();
        clock.now += 5000;
        watchdog.tick();
        expect(events).toEqual([]);
        clock.now += 200;
        watchdog.tick();
        expect(events).toEqual([]);
        for (let step = 0; step < 5; step += 1) {
          clock.now += 200;
          watchdog.tick();
        }
        expect(events).toHaveLength(1);
      });
    });

    describe('after stop', () => {
      it('should neither probe nor report', async () => {
        const { watchdog, clock, probes, events } = harness();
        watchdog.tick();
        watchdog.stop();
        clock.now += 5000;
        watchdog.tick();
        probes[0]?.answer();
        await settle();
        expect(probes).toHaveLength(1);
        expect(events).toEqual([]);
      });
    });
  });
});
