import type { Command } from 'commander';
import { portParser } from './cli-options.js';
import { startProbeServer, type ProbeReport, type ProbeServer } from './probe-server.js';

/** The `--health-*` options of a long-running command without an HTTP server of its own. */
export interface ProbeOptions {
  readonly healthHost: string;
  readonly healthPort?: number;
}

/** Adds `--health-port` (off unless given) and `--health-host` (default 127.0.0.1). */
export function addProbeOptions(command: Command): Command {
  return command
    .option('--health-port <port>', 'serve GET /live and GET /ready (JSON) on this port; off unless given', portParser('--health-port'))
    .option('--health-host <host>', 'address of the /live and /ready endpoints', '127.0.0.1');
}

/** Starts the probe server when `--health-port` was given. */
export async function startProbe(options: ProbeOptions, report: () => ProbeReport): Promise<ProbeServer | undefined> {
  if (options.healthPort === undefined) return undefined;
  return startProbeServer(options.healthHost, options.healthPort, report);
}
