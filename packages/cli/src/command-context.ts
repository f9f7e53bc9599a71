import type { Logger, StatbusConfig } from '@statbus/core';
import type { Container } from 'inversify';
import { createContainer } from './create-container.js';
import { createLogger } from './create-logger.js';
import { loadCliConfig, type GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';

/** What a command that talks to the bus gets: the validated config, the logger and the container. */
export interface CommandContext {
  readonly config: StatbusConfig;
  readonly logger: Logger;
  readonly container: Container;
}

/** Loads the config (every problem listed at once) and builds the container for one command run. */
export function commandContext(options: GlobalOptions, io: CliIo): CommandContext {
  const { config } = loadCliConfig(options, io);
  const logger = createLogger(config, io.stderr);
  return { config, logger, container: createContainer(config, logger) };
}
