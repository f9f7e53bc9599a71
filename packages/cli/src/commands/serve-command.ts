import cluster from 'node:cluster';
import { redactUrl } from '@statbus/core';
import { reportListening, startQueryWorkers, stopRequested } from '@statbus/query';
import type { Archiver } from '@statbus/sink';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { integerParser, parsePort } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { startMetrics, type RunningMetrics } from '../run-metrics.js';

interface ServeOptions extends GlobalOptions {
  readonly host?: string;
  readonly port?: number;
  readonly archive?: boolean;
  readonly workers?: number;
}

/** Most `--workers` accepted. */
const MAX_WORKERS = 64;


const listenOn = (options: ServeOptions): { host?: string; port?: number } => ({
  ...(options.host === undefined ? {} : { host: options.host }),
  ...(options.port === undefined ? {} : { port: options.port }),
});

/** A `--workers` process (the primary re-ran this command in it): serves the API over its own store connection until told to stop. */
async function serveAsWorker(options: ServeOptions, io: CliIo): Promise<void> {
  const { services, logger } = commandContext(options, io);
  const store = services.store();
  const server = await services.queryServer();
  const shutdown = shutdownSignal(io);
  try {
    await store.init();
    reportListening(await server.start(listenOn(options)));
    const reason = await Promise.race([shutdown.received, stopRequested().then(() => 'stop')]);
    logger.debug({ reason, pid: process.pid }, 'query worker stopping');
  } finally {
    shutdown.stop();
    await server.close();
    await store.close();
    // The IPC channel to the primary would keep this process alive.
    cluster.worker?.disconnect();
  }
}

/**
 * `statbus serve`: the query API (datagrepper) over the configured store, on `[query] host` / `port`
 * (default 127.0.0.1:8080). With `--archive` it also runs the archiver in the same process, so `/stream`
 * hears of new messages the moment they are written instead of at its next poll. With `--workers N` (N > 1)
 * the API is served by N processes sharing the port, each with its own store connection, so that a slow
 * query does not hold up the others (SQLite in WAL mode reads in parallel); the archiver, if any, stays in
 * the first process and `/stream` in the workers hears of new messages by polling.
 */
export function serveCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('serve'))
    .description('serve the HTTP query API (datagrepper-compatible /raw, /v2/search, /id, /topics, /count, /export, live /stream) over the store')
    .option('--host <host>', 'address to listen on (default: [query] host, 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: [query] port, 8080)', parsePort)
    .option('--archive', 'also archive the bus into the store in this process (statbus nom + serve)')
    .option('--workers <n>', 'serve from n processes sharing the port, each with its own store connection (default 1; about one per core)', integerParser('--workers', 1, MAX_WORKERS))
    .action(async (options: ServeOptions) => {
      if (cluster.isWorker) return serveAsWorker(options, io);
      const workers = options.workers ?? 1;
      const context = commandContext(options, io);
      const { config, services, logger } = context;
      const store = services.store();
      // Loaded here even when workers serve the API: a bad plugin stops the command before anything starts.
      await services.metricsCatalog();
      const server = workers === 1 ? await services.queryServer() : undefined;
      const shutdown = shutdownSignal(io);
      // Migrations run here, once, before any worker opens the store.
      await store.init();
      const transport = options.archive === true ? services.transport() : undefined;
      let metrics: RunningMetrics | undefined;
      let pool: Awaited<ReturnType<typeof startQueryWorkers>> | undefined;
      let archiver: Archiver | undefined;
      try {
        // The metrics follow the archive whoever writes it; before the archiver, which records bus events in them.
        metrics = await startMetrics(context, store, transport);
        archiver = options.archive === true ? services.archiver() : undefined;
        if (transport !== undefined && archiver !== undefined) {
          const archiving = archiver;
          server?.readyWhen(() => ({ ...archiving.health() }));
          await transport.connect();
          await archiver.start();
        }
        let url: string;
        if (server !== undefined) url = await server.start(listenOn(options));
        else {
          pool = await startQueryWorkers({ count: workers, logger }).catch((error: unknown) => {
            throw new CliError(`statbus serve: ${(error as Error).message} (see its messages above)`, { cause: error });
          });
          url = pool.url;
        }
        io.stderr.write(`statbus serve: ${url} over ${redactUrl(config.store)}${archiver === undefined ? '' : `, archiving ${config.transport}`}${workers > 1 ? `, ${workers} workers` : ''}\n`);
        const signal = await shutdown.received;
        logger.info({ signal }, 'query API stopping');
      } finally {
        await server?.close();
        await pool?.close();
        await archiver?.stop();
        await transport?.close();
        await metrics?.stop();
        await store.close();
      }
    });
}
