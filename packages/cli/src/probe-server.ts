import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a long-running command says about itself on its probe endpoints. */
export interface ProbeReport {
  /** Doing its job: `/ready` answers 200, otherwise 503. */
  readonly ready: boolean;
  /** Anything worth seeing next to it (counters, addresses). */
  readonly [detail: string]: unknown;
}

/** The Prometheus exposition served at `/metrics`. */
export interface ProbeMetrics {
  readonly contentType: string;
  readonly body: string;
}

/** A listening probe server; `close()` is idempotent. */
export interface ProbeServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /live` (200 while the process runs) and `GET /ready` (200 when `report().ready`, 503
 * otherwise), both with the report as JSON, and with `metrics`, `GET /metrics` (Prometheus text) — the health checks of `docker-compose.yml` and the
 * liveness/readiness probes of an orchestrator, for commands that have no HTTP server of their own
 * (`statbus nom`, `statbus relay`, `statbus demo`).
 *
 * @throws the listen error (address in use, permission denied).
 */
export async function startProbeServer(host: string, port: number, report: () => ProbeReport, metrics?: () => Promise<ProbeMetrics>): Promise<ProbeServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' }).end(JSON.stringify({ error: 'method not allowed' }));
      return;
    }
    if (path === '/metrics' && metrics !== undefined) {
      metrics().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `metrics unavailable: ${(error as Error).message}` })),
      );
      return;
    }
    if (path !== '/live' && path !== '/ready') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no such endpoint: ${path ?? ''}; try /live, /ready${metrics === undefined ? '' : ' or /metrics'}` }));
      return;
    }
    const current = report();
    const ok = path === '/live' || current.ready;
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...current }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
