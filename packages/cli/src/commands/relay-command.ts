import { redactUrl } from '@statbus/core';
import { createPrometheusRegistry } from '@statbus/metrics';
import type { RelayCounters } from '@statbus/transport-zeromq';
import { Command } from 'commander';
import { commandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { addProbeOptions, probeMetrics, startProbe, type ProbeOptions } from '../probe-options.js';

type RelayOptions = GlobalOptions & ProbeOptions;

/**
 * `statbus relay`: the ZeroMQ relay (fedmsg-relay) that short-lived publishers connect to. Over AMQP the
 * broker is the relay: the command checks that it answers and stays up, so the same three commands
 * (relay, tail, publish) work over both transports. With `--health-port`, `/ready` answers 200 once the
 * relay is bound (or the broker answered).
 */
export function relayCommand(io: CliIo): Command {
  return addProbeOptions(addGlobalOptions(new Command('relay')))
    .description('run the ZeroMQ relay (XSUB → XPUB) for publishers that connect instead of bind; over AMQP, check the broker and stay up')
    .action(async (options: RelayOptions) => {
      const { config, logger, services } = commandContext(options, io);
      const shutdown = shutdownSignal(io);
      let running = false;
      let relayCounters: (() => RelayCounters) | undefined;
      const probe = await startProbe(
        options,
        () => ({ ready: running, transport: config.transport, ...(relayCounters !== undefined && { relay: relayCounters() }) }),
        probeMetrics(createPrometheusRegistry()),
      );
      try {
        if (config.transport === 'zeromq') {
          const relay = services.relay();
          await relay.start();
          running = true;
          relayCounters = () => relay.counters();
          io.stderr.write(`statbus relay: publishers connect to ${relay.inboundAddress}, subscribers to ${relay.outboundAddress}, gap requests to ${relay.replayAddress}\n`);
          const signal = await shutdown.received;
          logger.info({ signal }, 'relay stopping');
          running = false;
          await relay.close();
          return;
        }
        const transport = services.transport();
        await transport.connect();
        running = true;
        io.stderr.write(`statbus relay: over AMQP the broker is the relay; ${redactUrl(config.amqp.url)} answers, exchange ${config.amqp.exchange}\n`);
        const signal = await shutdown.received;
        logger.info({ signal }, 'relay stopping');
        running = false;
        await transport.close();
      } finally {
        await probe?.close();
      }
    });
}
