import { archiveMessage, type Envelope, type StatbusConfig } from '@statbus/core';
import { Command, Option } from 'commander';
import { collect } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { connectTransport } from '../connect-transport.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { topicPatternsOf } from '../resolve-pattern.js';
import { CliError } from '../cli-error.js';

interface TailOptions extends GlobalOptions {
  readonly topic: string[];
  readonly include: string[];
  readonly exclude: string[];
  readonly user: string[];
  readonly package: string[];
  readonly format: 'line' | 'json' | 'pretty';
  readonly count?: number;
}

function compileRegex(flag: string, source: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch (error) {
    throw new CliError(`--${flag} ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
}

/** Builds the predicate of `--include`, `--exclude`, `--user` and `--package`. */
function tailFilter(config: StatbusConfig, options: TailOptions): (envelope: Envelope) => boolean {
  const include = options.include.map((source) => compileRegex('include', source));
  const exclude = options.exclude.map((source) => compileRegex('exclude', source));
  return (envelope) => {
    if (include.length > 0 && !include.some((regex) => regex.test(envelope.topic))) return false;
    if (exclude.some((regex) => regex.test(envelope.topic))) return false;
    if (options.user.length === 0 && options.package.length === 0) return true;
    const archived = archiveMessage(envelope, { prefix: config.topic_prefix });
    if (options.user.length > 0 && !archived.users.some((user) => options.user.includes(user))) return false;
    return options.package.length === 0 || archived.packages.some((name) => options.package.includes(name));
  };
}

function render(envelope: Envelope, format: TailOptions['format']): string {
  if (format === 'json') return JSON.stringify(envelope);
  if (format === 'pretty') return JSON.stringify(envelope, null, 2);
  const body = JSON.stringify(envelope.body);
  const users = envelope.headers['usernames'];
  return `${new Date(envelope.time).toISOString()} ${envelope.topic}${users === undefined ? '' : ` [${users}]`} ${body.length > 200 ? `${body.slice(0, 199)}…` : body}`;
}

/** `statbus tail`: a live view of the bus (fedmsg-tail), the same over both transports. */
export function tailCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('tail'))
    .description('watch messages on the bus as they pass (fedmsg-tail)')
    .option('--topic <pattern>', 'topic or pattern, matched as given and under <prefix>.<env>.; repeatable; default: every topic', collect, [])
    .option('--include <regex>', 'only topics matching this regular expression; repeatable', collect, [])
    .option('--exclude <regex>', 'skip topics matching this regular expression; repeatable', collect, [])
    .option('--user <name>', 'only messages concerning this user; repeatable', collect, [])
    .option('--package <name>', 'only messages concerning this package; repeatable', collect, [])
    .addOption(new Option('--json', 'one envelope per line, as JSON').implies({ format: 'json' }))
    .addOption(new Option('--pretty', 'indented JSON').implies({ format: 'pretty' }))
    .addOption(new Option('--format <format>').choices(['line', 'json', 'pretty']).default('line').hideHelp())
    .option('-n, --count <n>', 'exit after this many messages', (value) => {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive whole number, got ${JSON.stringify(value)}`);
      return count;
    })
    .action(async (options: TailOptions) => {
      const { config, logger, services } = commandContext(options, io);
      const patterns = options.topic.length === 0 ? ['#'] : topicPatternsOf(config, options.topic);
      const accept = tailFilter(config, options);
      const transport = services.transport();
      const shutdown = shutdownSignal(io);
      await connectTransport(transport, config);
      try {
        const subscription = await transport.subscribe(patterns);
        io.stderr.write(`statbus tail: listening over ${config.transport} for ${patterns.join(', ')}\n`);
        let shown = 0;
        const showing = (async () => {
          for await (const delivery of subscription) {
            await delivery.ack();
            if (!accept(delivery.envelope)) continue;
            io.stdout.write(`${render(delivery.envelope, options.format)}\n`);
            shown += 1;
            if (options.count !== undefined && shown >= options.count) shutdown.stop();
          }
        })();
        const reason = await shutdown.received;
        logger.debug({ reason, shown }, 'tail stopping');
        await subscription.close();
        await showing;
      } finally {
        await transport.close();
      }
    });
}
