import type { AddressInfo } from 'node:net';
import { CONFIG, LOGGER, type Logger, type StatbusConfig } from '@statbus/core';
import { fastify, type FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import { ConsumerHub } from './consumer-hub.js';
import type { HealthReport } from './health-report.js';

/** What the health server reports on: a {@link ConsumerHub} or anything with its `health()`. */
export interface HealthSource {
  health(now?: number): HealthReport;
}

/** Where a {@link HealthServer} listens. */
export interface HealthListenOptions {
  /** Default `[consumer] health_host`. */
  readonly host?: string;
  /** Default `[consumer] health_port`; 0 picks a free port. */
  readonly port?: number;
}

/**
 * Serves `GET /live` and `GET /ready` for a consumer hub (Kubernetes-style probes), over Fastify.
 * Both answer the {@link HealthReport} as JSON: `/live` with 200 unless the hub has stopped, `/ready` with
 * 200 only when it is running, connected and the watchdog is content, 503 otherwise with the reasons.
 */
@injectable()
export class HealthServer {
  /** The Fastify instance; `app.inject()` exercises the routes without a socket. */
  readonly app: FastifyInstance;
  readonly #config: StatbusConfig;
  readonly #log: Logger;

  constructor(@inject(ConsumerHub) source: HealthSource, @inject(CONFIG) config: StatbusConfig, @inject(LOGGER) logger: Logger) {
    this.#config = config;
    this.#log = logger.child({ component: 'consumer-health' });
    this.app = fastify({ logger: false });
    this.app.get('/live', async (_request, reply) => {
      const report = source.health();
      return reply.code(report.live ? 200 : 503).send({ status: report.live ? 'ok' : 'stopped', ...report });
    });
    this.app.get('/ready', async (_request, reply) => {
      const report = source.health();
      return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ok' : 'unavailable', ...report });
    });
  }

  /**
   * Starts listening.
   *
   * @returns the URL it listens on (e.g. `http://127.0.0.1:9999`) once it does.
   * @throws the listen error (address in use, permission denied).
   */
  async listen(options: HealthListenOptions = {}): Promise<string> {
    const host = options.host ?? this.#config.consumer.health_host;
    const port = options.port ?? this.#config.consumer.health_port;
    await this.app.listen({ host, port });
    const address = this.app.server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    this.#log.info({ url }, 'health endpoints listening');
    return url;
  }

  /** Stops listening. Idempotent; resolves when the server is closed. */
  async close(): Promise<void> {
    await this.app.close();
  }
}
