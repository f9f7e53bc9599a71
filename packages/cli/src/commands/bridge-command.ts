import { redactUrl, validatePattern } from '@statbus/core';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import { Command, Option } from 'commander';
import { BRIDGE_DEFAULTS, Bridge, type BridgeDirection } from '../bridge/bridge.js';
import { collect, integerParser } from '../cli-options.js';
import { loadCliConfig, addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { createLogger } from '../create-logger.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { addProbeOptions, startProbe, type ProbeOptions } from '../probe-options.js';

type BridgeCommandOptions = GlobalOptions &
  ProbeOptions & {
    readonly pattern: string[];
    readonly queue: string;
    readonly buffer: number;
    readonly memory: number;
    readonly direction: BridgeDirection;
  };

function parsePattern(value: string, previous: string[]): string[] {
  validatePattern(value);
  return collect(value, previous);
}

/**
 * `statbus bridge`: carries messages between the ZeroMQ bus of `[zeromq]` and the broker of `[amqp]`, both
 * ways (see {@link Bridge}), whatever `transport` says. Each side uses its own `wire_format`, so the bridge
 * also translates fedmsg frames into fedora-messaging messages and back. With `--health-port`, `/ready`
 * answers 200 while both sides are up, with the counters.
 */
export function bridgeCommand(io: CliIo): Command {
  return addProbeOptions(addGlobalOptions(new Command('bridge')))
    .description('carry messages between ZeroMQ ([zeromq]) and AMQP ([amqp]), both ways, ids kept, never carried back (fedmsg <-> fedora-messaging bridge)')
    .option('--pattern <pattern>', 'full topic pattern to carry (AMQP semantics; repeatable)', parsePattern, [])
    .option('--queue <name>', 'durable AMQP queue the bridge consumes from', BRIDGE_DEFAULTS.queue)
    .option('--buffer <count>', 'messages from ZeroMQ awaiting AMQP at most; more are dropped and reported as lost', integerParser('--buffer', 1, 10_000_000), BRIDGE_DEFAULTS.bufferSize)
    .addOption(new Option('--direction <way>', 'carry both ways, or one').choices(['both', 'zeromq-to-amqp', 'amqp-to-zeromq']).default(BRIDGE_DEFAULTS.direction))
    .option('--memory <count>', 'message ids remembered to stop loops and duplicates', integerParser('--memory', 1, 100_000_000), BRIDGE_DEFAULTS.memory)
    .action(async (options: BridgeCommandOptions) => {
      const { config } = loadCliConfig(options, io);
      const logger = createLogger(config, io.stderr);
      const zeromq = new ZeroMqTransport(config, logger);
      const amqp = new AmqpTransport(config, logger);
      const patterns = options.pattern.length === 0 ? [...BRIDGE_DEFAULTS.patterns] : options.pattern;
      const bridge = new Bridge(zeromq, amqp, logger, { patterns, queue: options.queue, bufferSize: options.buffer, memory: options.memory, direction: options.direction });
      const shutdown = shutdownSignal(io);
      const probe = await startProbe(options, () => {
        const state = bridge.state();
        return { ready: state.zeromq === 'up' && state.amqp === 'up', transport: 'bridge', sides: state, bridge: bridge.counters() };
      });
      try {
        bridge.start();
        const endpoints = Object.values(config.zeromq.endpoints).flat();
        io.stderr.write(
          `statbus bridge: zeromq (${config.zeromq.wire_format}; subscribes to ${endpoints.join(', ') || 'nothing'}${config.zeromq.use_relay ? ` and the relay ${config.zeromq.relay_outbound}` : ''}; ` +
            `publishes ${config.zeromq.bind.length > 0 ? `on ${config.zeromq.bind.join(', ')}` : config.zeromq.use_relay ? `via the relay ${config.zeromq.relay_inbound}` : 'nowhere'}) <-> ` +
            `amqp (${config.amqp.wire_format}; ${redactUrl(config.amqp.url)}, exchange ${config.amqp.exchange}, queue ${options.queue}); carrying ${patterns.join(', ')}, ${options.direction === 'both' ? 'both ways' : options.direction}` +
            `${probe === undefined ? '' : `; health at ${probe.url}/ready`}\n`,
        );
        const signal = await shutdown.received;
        logger.info({ signal }, 'bridge stopping');
        await bridge.stop();
        io.stderr.write(`statbus bridge: stopped; ${JSON.stringify(bridge.counters())}\n`);
      } finally {
        await Promise.all([zeromq.close(), amqp.close()]);
        await probe?.close();
      }
    });
}
