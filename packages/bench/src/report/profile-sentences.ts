import type { BenchReport } from './bench-report.js';
import { selfTimesLine } from './cpu-profile.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * One sentence per profiled thread (`statbus bench --profile`): its busy time, then its functions with the most
 * self time as shares of it.
 */
export function profileSentences(report: BenchReport): string[] {
  return (report.profiles ?? []).flatMap((profile) =>
    profile.threads
      .filter((thread) => thread.busyMs > 0)
      .map(
        (thread) =>
          `Profile, ${profile.what}, ${thread.process}, ${thread.thread} (busy ${seconds(thread.busyMs)} of ${seconds(thread.totalMs)}): ` +
          selfTimesLine(thread.top),
      ),
  );
}
