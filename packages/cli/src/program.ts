import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { StatbusError } from '@statbus/core';
import { CliError } from './cli-error.js';
import { describeFailure, isBrokenPipe } from './describe-failure.js';
import { benchCommand } from './commands/bench-command.js';
import { bridgeCommand } from './commands/bridge-command.js';
import { completionCommand } from './commands/completion-command.js';
import { configCommand } from './commands/config-command.js';
import { dbCommand } from './commands/db-command.js';
import { demoCommand } from './commands/demo-command.js';
import { dumpCommand } from './commands/dump-command.js';
import { hubCommand } from './commands/hub-command.js';
import { latestCommand } from './commands/latest-command.js';
import { nomCommand } from './commands/nom-command.js';
import { statsCommand } from './commands/stats-command.js';
import { keysCommand } from './commands/keys-command.js';
import { publishCommand } from './commands/publish-command.js';
import { relayCommand } from './commands/relay-command.js';
import { replayCommand } from './commands/replay-command.js';
import { serveCommand } from './commands/serve-command.js';
import { metricsCommand } from './commands/metrics-command.js';
import { tailCommand } from './commands/tail-command.js';
import { upCommand } from './commands/up-command.js';
import type { CliIo } from './io.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Builds the `statbus` command tree writing to `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('statbus')
    .description('statbus: a message bus with its own archive, query API and live metrics — one API over ZeroMQ and RabbitMQ')
    .version(version, '-V, --version')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  program.addCommand(upCommand(io));
  program.addCommand(demoCommand(io));
  program.addCommand(configCommand(io));
  program.addCommand(publishCommand(io));
  program.addCommand(relayCommand(io));
  program.addCommand(bridgeCommand(io));
  program.addCommand(tailCommand(io));
  program.addCommand(keysCommand(io));
  program.addCommand(hubCommand(io));
  program.addCommand(nomCommand(io));
  program.addCommand(dbCommand(io));
  program.addCommand(dumpCommand(io));
  program.addCommand(replayCommand(io));
  program.addCommand(statsCommand(io));
  program.addCommand(latestCommand(io));
  program.addCommand(serveCommand(io));
  program.addCommand(metricsCommand(io));
  program.addCommand(benchCommand(io));
  program.addCommand(completionCommand(io));
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** `--verbose`, or a debug or trace log level (flag or `STATBUS_LOG__LEVEL`), shows a failure's stack. */
function wantsStack(argv: readonly string[], io: CliIo): boolean {
  const level = argv.find((arg, index) => argv[index - 1] === '--log-level') ?? argv.find((arg) => arg.startsWith('--log-level='))?.slice(12) ?? io.env['STATBUS_LOG__LEVEL'];
  return argv.includes('--verbose') || level === 'debug' || level === 'trace';
}

/**
 * Runs the CLI and returns the exit code: 0 on success (and when stdout's reader went away), 1 for a failure
 * (one line on stderr; `--verbose` adds the stack), 2 for a usage error, or the code a halted consumer asked
 * for. Never throws for bad input.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isBrokenPipe(error)) return 0;
    const verbose = wantsStack(argv, io);
    const stack = (cause: unknown): string => (verbose && cause instanceof Error && cause.stack !== undefined ? `\n${cause.stack}` : '');
    if (error instanceof StatbusError || error instanceof CliError) {
      // A CliError without a message was already reported by its command (a JSON summary, say).
      if (error.message !== '') io.stderr.write(`statbus: ${error.message}${stack(error.cause ?? error)}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    const known = describeFailure(error);
    if (known !== undefined) {
      io.stderr.write(`statbus: ${known}${stack(error)}\n`);
      return 1;
    }
    io.stderr.write(`statbus: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
