import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of `/proc/<pid>/stat`'s utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A RabbitMQ broker running on this machine: the Erlang VM that runs it, whose CPU time can be read. */
export interface LocalBroker {
  readonly pid: number;
  /** User + system CPU time (ms) the broker has used since it started; undefined once it cannot be read. */
  cpuMs(): number | undefined;
}

/** User + system CPU time (ms) process `pid` has used, from `/proc` (Linux); undefined where it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    // After the command name (which may hold spaces, but ends with ')'): field 3 is index 0, so utime (14) and stime (15) are 11 and 12.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The RabbitMQ broker `amqpUrl` names, when it runs on this machine (a loopback host) and `/proc` shows its Erlang
 * VM (`beam.smp` started with `rabbit` among its arguments); undefined otherwise (a remote or containerised broker,
 * another operating system), and the bench then reports no broker CPU.
 */
export function findLocalBroker(amqpUrl: string): LocalBroker | undefined {
  let host: string;
  try {
    host = new URL(amqpUrl).hostname;
  } catch {
    return undefined;
  }
  if (!LOCAL_HOSTS.has(host)) return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/u.test(name));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
    } catch {
      continue;
    }
    if (args[0]?.endsWith('beam.smp') === true && args.includes('rabbit')) {
      const pid = Number(entry);
      return { pid, cpuMs: () => processCpuMs(pid) };
    }
  }
  return undefined;
}
