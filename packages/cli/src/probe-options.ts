import type { Command } from 'commander';
import type { Registry } from 'prom-client';
import { portParser } from './cli-options.js';
import { startProbeServer, type ProbeMetrics, type ProbeReport, type ProbeServer } from './probe-server.js';

/** The `--health-*` options of a long-running command without an HTTP server of its own. */
export interface ProbeOptions {
  readonly healthHost: string;
  readonly healthPort?: number;
}

/** Adds `--health-port` (off unless given) and `--health-host` (default 127.0.0.1). */
export function addProbeOptions(command: Command): Command {
  return command
    .option('--health-port <port>', 'serve GET /live, GET /ready (JSON) and GET /metrics (Prometheus) on this port; off unless given', portParser('--health-port'))
    .option('--health-host <host>', 'address of the /live and /ready endpoints', '127.0.0.1');
}

/** Starts the probe server when `--health-port` was given. */
export async function startProbe(options: ProbeOptions, report: () => ProbeReport, metrics?: () => Promise<ProbeMetrics>): Promise<ProbeServer | undefined> {
  if (options.healthPort === undefined) return undefined;
  return startProbeServer(options.healthHost, options.healthPort, report, metrics);
}

/** The probe server's `/metrics` for a registry. */
export function probeMetrics(registry: Registry): () => Promise<ProbeMetrics> {
  return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
}
