import { MESSAGE_STORE, TRANSPORT, redactUrl } from '@statbus/core';
import { QueryServer } from '@statbus/query';
import { Archiver } from '@statbus/sink';
import { Command } from 'commander';
import { parsePort } from '../cli-options.js';
import { commandContext } from '../command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';

interface ServeOptions extends GlobalOptions {
  readonly host?: string;
  readonly port?: number;
  readonly archive?: boolean;
}

/**
 * `statbus serve`: the query API (datagrepper) over the configured store, on `[query] host` / `port`
 * (default 127.0.0.1:8080). With `--archive` it also runs the archiver in the same process, so `/stream`
 * hears of new messages the moment they are written instead of at its next poll.
 */
export function serveCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('serve'))
    .description('serve the HTTP query API (datagrepper-compatible /raw, /v2/search, /id, /topics, /count, /export, live /stream) over the store')
    .option('--host <host>', 'address to listen on (default: [query] host, 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: [query] port, 8080)', parsePort)
    .option('--archive', 'also archive the bus into the store in this process (statbus nom + serve)')
    .action(async (options: ServeOptions) => {
      const { config, container, logger } = commandContext(options, io);
      const store = container.get(MESSAGE_STORE);
      const server = container.get(QueryServer);
      const shutdown = shutdownSignal(io);
      await store.init();
      const transport = options.archive === true ? container.get(TRANSPORT) : undefined;
      const archiver = options.archive === true ? container.get(Archiver) : undefined;
      try {
        if (transport !== undefined && archiver !== undefined) {
          await transport.connect();
          await archiver.start();
        }
        const url = await server.start({
          ...(options.host === undefined ? {} : { host: options.host }),
          ...(options.port === undefined ? {} : { port: options.port }),
        });
        io.stderr.write(`statbus serve: ${url} over ${redactUrl(config.store)}${archiver === undefined ? '' : `, archiving ${config.transport}`}\n`);
        const signal = await shutdown.received;
        logger.info({ signal }, 'query API stopping');
      } finally {
        await server.close();
        await archiver?.stop();
        await transport?.close();
        await store.close();
      }
    });
}
