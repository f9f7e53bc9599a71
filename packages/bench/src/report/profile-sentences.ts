import type { BenchReport } from './bench-report.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const percent = (share: number): string => `${Math.round(share * 100)} %`;

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
          thread.top.map((entry) => `${entry.name} ${percent(entry.share)}`).join('; '),
      ),
  );
}
