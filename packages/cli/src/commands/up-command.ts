import { redactUrl, type Envelope } from '@statbus/core';
import type { QueryServer } from '@statbus/query';
import type { Archiver } from '@statbus/sink';
import { Command } from 'commander';
import { parsePort, positiveNumber } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { DemoTraffic } from '../demo/demo-traffic.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { startMetrics, type RunningMetrics } from '../run-metrics.js';

interface UpOptions extends GlobalOptions {
  readonly host?: string;
  readonly port?: number;
  readonly demo?: boolean;
  readonly demoRate: number;
  readonly demoDay: number;
}

/** How long a stop waits for the archive to catch up with what the demo published. */
const CATCH_UP_MS = 15_000;

/**
 * `statbus up`: the whole stack in one process — the bus (the ZeroMQ relay; over AMQP the broker), the
 * archiver into the store, and the query API; `--demo` adds traffic imitating an organisation's services.
 * SIGINT/SIGTERM stop it cleanly: the demo stops, the archive catches up with what it published, then
 * everything closes.
 */
export function upCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('up'))
    .description('run the whole stack: bus relay, archiver and query API (and --demo traffic) in one process')
    .option('--host <host>', 'query API address (default: [query] host)')
    .option('--port <port>', 'query API port; 0 picks a free one (default: [query] port)', parsePort)
    .option('--demo', 'publish demo traffic: builds, updates, commits, sign-ups, badges…')
    .option('--demo-rate <n>', 'demo messages a second at the busiest hour', positiveNumber('--demo-rate'), 20)
    .option('--demo-day <seconds>', 'length of the demo’s compressed day, quiet night included', positiveNumber('--demo-day'), 120)
    .action(async (options: UpOptions) => {
      const context = commandContext(options, io);
      const { config, services, logger } = context;
      const shutdown = shutdownSignal(io);
      const relay = config.transport === 'zeromq' && config.zeromq.use_relay ? services.relay() : undefined;
      const store = services.store();
      const transport = services.transport();
      let demo: DemoTraffic | undefined;
      let lastDemo: Envelope | undefined;
      await store.init();
      let metrics: RunningMetrics | undefined;
      let archiver: Archiver | undefined;
      let server: QueryServer | undefined;
      try {
        // Before the archiver and the API: the archiver records bus events in the engine, the API reads its plugins.
        metrics = await startMetrics(context, store, transport);
        const archiving = services.archiver();
        archiver = archiving;
        server = await services.queryServer();
        server.readyWhen(() => ({ ...archiving.health() }));
        await relay?.start();
        await transport.connect();
        await archiver.start();
        const url = await server.start({
          ...(options.host === undefined ? {} : { host: options.host }),
          ...(options.port === undefined ? {} : { port: options.port }),
        });
        const lines = [
          `statbus up: ${config.transport === 'zeromq' ? `ZeroMQ bus via the relay (publish to ${relay?.inboundAddress ?? config.zeromq.relay_inbound}, subscribe at ${relay?.outboundAddress ?? config.zeromq.relay_outbound})` : `RabbitMQ bus at ${redactUrl(config.amqp.url)}, exchange ${config.amqp.exchange}`}`,
          `  archive: ${redactUrl(config.store)}`,
          `  query API: ${url}  —  dashboard at ${url}/, try ${url}/raw, ${url}/topics, ${url}/stream, ${url}/stats/, ${url}/metrics, docs at ${url}/docs`,
        ];
        if (options.demo === true) {
          const producer = services.producer();
          demo = new DemoTraffic(producer, { rate: options.demoRate, dayMs: options.demoDay * 1000 }, logger, (envelope) => {
            lastDemo = envelope;
          });
          demo.start();
          lines.push(`  demo: about ${options.demoRate} messages/s at the busiest hour, a day every ${options.demoDay} s`);
        }
        io.stderr.write(`${lines.join('\n')}\n`);
        const signal = await shutdown.received;
        logger.info({ signal }, 'stopping');
        if (demo !== undefined) {
          const published = await demo.stop();
          const last = lastDemo;
          const deadline = Date.now() + CATCH_UP_MS;
          while (last !== undefined && (await store.get(last.id)) === undefined && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          io.stderr.write(`statbus up: demo published ${published} messages${demo.refused > 0 ? `, ${demo.refused} refused by its own producer` : ''}${demo.failed > 0 ? `, ${demo.failed} not taken by the bus` : ''}\n`);
        }
      } finally {
        await server?.close();
        await archiver?.stop();
        await transport.close();
        await relay?.close();
        await metrics?.stop();
        await store.close();
      }
      io.stderr.write(`statbus up: stopped; archived ${JSON.stringify(archiver?.counters())}\n`);
    });
}
