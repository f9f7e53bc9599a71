import { redactUrl } from '@statbus/core';
import { RetentionRunner } from '@statbus/sink';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import { Command } from 'commander';
import { commandContext } from '../composition/command-context.js';
import { connectTransport } from '../connect-transport.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { addProbeOptions, probeMetrics, startProbe, type ProbeOptions } from '../probe-options.js';
import { startMetrics, type RunningMetrics } from '../run-metrics.js';

type NomOptions = GlobalOptions & ProbeOptions;

/**
 * `statbus nom`: the archiver (datanommer). Stores every message of the bus in the configured store, in
 * batches, acking only what is durably written; stops cleanly on SIGINT/SIGTERM. With `--health-port`,
 * `/ready` answers 200 while it is archiving (transport connected, store writes going through) and 503 with
 * the problems otherwise, with its counters, refusals and gaps; it reads the archiver's own state, never the
 * store, so it answers at once during a store outage.
 */
export function nomCommand(io: CliIo): Command {
  return addProbeOptions(addGlobalOptions(new Command('nom')))
    .description('archive every message of the bus into the store (datanommer); over AMQP, archivers with the same [sink] queue share the work')
    .action(async (options: NomOptions) => {
      const context = commandContext(options, io);
      const { config, services, logger } = context;
      const store = services.store();
      const transport = services.transport();
      const shutdown = shutdownSignal(io);
      await store.init();
      // Before the archiver is made: it takes the metrics engine as its bus-event recorder.
      let metrics: RunningMetrics | undefined;
      // [sink.retention] rules, applied beside the archiver (nothing without rules).
      const retention = new RetentionRunner(store, config.sink.retention, logger);
      try {
        metrics = await startMetrics(context, store, transport);
      } catch (error) {
        await store.close();
        throw error;
      }
      const archiver = services.archiver();
      const probe = await startProbe(
        options,
        () => {
          const health = archiver.health();
          return {
            ...health,
            ready: health.ready,
            transportKind: config.transport,
            bus: transport.counters(),
            ...(transport instanceof ZeroMqTransport && { recovery: transport.recovery() }),
            ...(metrics?.engine === undefined ? {} : { metrics: metrics.engine.counters() }),
          };
        },
        probeMetrics(metrics.registry),
      ).catch(async (error: unknown) => {
        await metrics?.stop();
        await store.close();
        throw error;
      });
      try {
        await connectTransport(transport, config);
        await archiver.start();
        retention.start();
        io.stderr.write(`statbus nom: archiving ${config.transport} into ${redactUrl(config.store)}${probe === undefined ? '' : `; health at ${probe.url}/ready`}\n`);
        const signal = await shutdown.received;
        logger.info({ signal }, 'archiver stopping');
        await archiver.stop();
        io.stderr.write(`statbus nom: stopped; ${JSON.stringify(archiver.counters())}\n`);
        // Gaps refilled from replay windows and losses reported (ZeroMQ), beside the transport's totals.
        io.stderr.write(`statbus nom: transport ${JSON.stringify({ ...transport.counters(), ...(transport instanceof ZeroMqTransport && { recovery: transport.recovery() }) })}\n`);
      } finally {
        await retention.stop();
        await transport.close();
        await metrics.stop();
        await store.close();
        await probe?.close();
      }
    });
}
