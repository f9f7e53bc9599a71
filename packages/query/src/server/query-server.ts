import { CONFIG, LOGGER, MESSAGE_STORE, type Logger, type MessageStore, type StatbusConfig } from '@statbus/core';
import type { FastifyInstance } from 'fastify';
import { MetricsReader } from '@statbus/metrics';
import { inject, injectable, optional } from 'inversify';
import { createQueryServer } from './create-query-server.js';
import type { ReadinessReport } from './query-server-options.js';

/**
 * The query API as a service: {@link QueryServer.start} listens on `[query] host` / `port` (or what it is
 * given) over the bound store, which must be initialised first; {@link QueryServer.close} stops it.
 */
@injectable()
export class QueryServer {
  /** The Fastify instance (routes registered, not listening until `start`). */
  readonly app: FastifyInstance;
  private listening: string | undefined;
  private readiness: (() => ReadinessReport) | undefined;

  constructor(
    @inject(CONFIG) private readonly config: Pick<StatbusConfig, 'query'>,
    @inject(MESSAGE_STORE) store: MessageStore,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(MetricsReader) @optional() metrics?: MetricsReader,
  ) {
    this.app = createQueryServer({
      store,
      config: config.query,
      logger: logger.child({ component: 'query' }),
      readiness: () => this.readiness?.(),
      ...(metrics === undefined ? {} : { metrics }),
    });
  }

  /**
   * Makes `/ready` answer what `report` says (an archiver in the same process) instead of asking the store,
   * so that it answers at once and says "not ready" while the archive cannot be written.
   */
  readyWhen(report: () => ReadinessReport): void {
    this.readiness = report;
  }

  /** Listens; resolves with the URL (`http://host:port`) once the server accepts connections. Rejects if the port is taken. */
  async start(overrides: { host?: string; port?: number } = {}): Promise<string> {
    if (this.listening !== undefined) return this.listening;
    const host = overrides.host ?? this.config.query.host;
    const port = overrides.port ?? this.config.query.port;
    await this.app.listen({ host, port });
    const address = this.app.server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    this.listening = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    this.logger.info({ url: this.listening }, 'query API listening');
    return this.listening;
  }

  /** The URL it listens on, once started. */
  get url(): string | undefined {
    return this.listening;
  }

  /** Stops listening and ends open streams. Idempotent. */
  async close(): Promise<void> {
    await this.app.close();
    this.listening = undefined;
  }
}
