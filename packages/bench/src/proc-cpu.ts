import { readFileSync } from 'node:fs';

/** Clock ticks a second of `/proc/…/stat`'s times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time (ms) in a Linux `/proc/…/stat` file (a process's or a thread's); undefined where it cannot be read. */
function statCpuMs(path: string): number | undefined {
  try {
    // After the command name (which may hold spaces, but ends with ')'): field 3 is index 0, so utime (14) and stime (15) are 11 and 12.
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * User + system CPU time (ms) of this process's main thread alone, without its worker threads (the store's index
 * worker) and V8's helpers: Linux's `/proc/self/task/<pid>/stat`. Undefined where that cannot be read.
 */
export function mainThreadCpuMs(): number | undefined {
  return statCpuMs(`/proc/self/task/${process.pid}/stat`);
}

/** User + system CPU time (ms) process `pid` has used, all its threads: Linux's `/proc/<pid>/stat`. Undefined where that cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`);
}
