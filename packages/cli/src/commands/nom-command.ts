import { MESSAGE_STORE, TRANSPORT, redactUrl } from '@statbus/core';
import { Archiver, RetentionRunner } from '@statbus/sink';
import { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { addProbeOptions, startProbe, type ProbeOptions } from '../probe-options.js';

type NomOptions = GlobalOptions & ProbeOptions;

/**
 * `statbus nom`: the archiver (datanommer). Stores every message of the bus in the configured store, in
 * batches, acking only what is durably written; stops cleanly on SIGINT/SIGTERM. With `--health-port`,
 * `/ready` answers 200 once it is archiving, with its counters.
 */
export function nomCommand(io: CliIo): Command {
  return addProbeOptions(addGlobalOptions(new Command('nom')))
    .description('archive every message of the bus into the store (datanommer); over AMQP, archivers with the same [sink] queue share the work')
    .action(async (options: NomOptions) => {
      const context = commandContext(options, io);
      const { config, container, logger } = context;
      const store = container.get(MESSAGE_STORE);
      const transport = container.get(TRANSPORT);
      const archiver = container.get(Archiver);
      const shutdown = shutdownSignal(io);
      // [sink.retention] rules, applied beside the archiver (nothing without rules).
      const retention = new RetentionRunner(store, config.sink.retention, logger);
      let archiving = false;
      const probe = await startProbe(options, () => ({ ready: archiving, transport: config.transport, archiver: archiver.counters() }));
      try {
        await store.init();
        await transport.connect();
        await archiver.start();
        archiving = true;
        retention.start();
        io.stderr.write(`statbus nom: archiving ${config.transport} into ${redactUrl(config.store)}${probe === undefined ? '' : `; health at ${probe.url}/ready`}\n`);
        const signal = await shutdown.received;
        logger.info({ signal }, 'archiver stopping');
        archiving = false;
        await archiver.stop();
        io.stderr.write(`statbus nom: stopped; ${JSON.stringify(archiver.counters())}\n`);
      } finally {
        await retention.stop();
        await transport.close();
        await store.close();
        await probe?.close();
      }
    });
}
