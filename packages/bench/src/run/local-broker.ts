import { readdirSync, readFileSync } from 'node:fs';
import { processCpuMs } from '../proc-cpu.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A RabbitMQ broker running on this machine: the Erlang VM that runs it, whose CPU time can be read. */
export interface LocalBroker {
  readonly pid: number;
  /** User + system CPU time (ms) the broker has used since it started; undefined once it cannot be read. */
  cpuMs(): number | undefined;
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
