import { loadConfig, type LoadedConfig } from '@statbus/core';
import { Option, type Command } from 'commander';
import type { CliIo } from './io.js';

/** Options every command takes. */
export interface GlobalOptions {
  readonly config?: string;
  readonly transport?: string;
  readonly store?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly verbose?: boolean;
}

/** Adds the options every command takes: `--config`, `--transport`, `--store`, `--log-level`, `--log-format`, `--verbose`. */
export function addGlobalOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'TOML config file (default: $STATBUS_CONFIG, else ./statbus.toml when it exists)')
    .addOption(new Option('-t, --transport <kind>', 'transport to use, overriding the config: zeromq or amqp'))
    .option('--store <url>', 'message store, overriding the config: sqlite:<path> or mongodb://…')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .addOption(new Option('--log-format <format>', 'logs as readable lines or JSON lines (auto: readable on a terminal)').choices(['auto', 'json', 'pretty']))
    .option('--verbose', 'on failure, print the stack trace too');
}

/** Loads the config the way every command does: file, then `STATBUS_*`, then flags. */
export function loadCliConfig(options: GlobalOptions, io: CliIo): LoadedConfig {
  const overrides: Record<string, unknown> = {};
  if (options.transport !== undefined) overrides['transport'] = options.transport;
  if (options.store !== undefined) overrides['store'] = options.store;
  const log: Record<string, string> = {};
  if (options.logLevel !== undefined) log['level'] = options.logLevel;
  if (options.logFormat !== undefined) log['format'] = options.logFormat;
  if (Object.keys(log).length > 0) overrides['log'] = log;
  return loadConfig({
    ...(options.config === undefined ? {} : { file: options.config }),
    env: io.env,
    cwd: io.cwd,
    overrides,
  });
}
