import type { Logger, StatbusConfig } from '@statbus/core';
import { createLogger } from '../create-logger.js';
import { loadCliConfig, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { CliServices } from './cli-services.js';
import { createContainer } from './create-container.js';

/** What a command that talks to the bus gets: the validated config, the logger and its services. */
export interface CommandContext {
  readonly config: StatbusConfig;
  readonly logger: Logger;
  readonly services: CliServices;
}

/** Loads the config (every problem listed at once) and composes the services for one command run. */
export function commandContext(options: GlobalOptions, io: CliIo): CommandContext {
  const { config } = loadCliConfig(options, io);
  const logger = createLogger(config, io.stderr);
  return { config, logger, services: new CliServices(createContainer(config, logger), config, io.cwd) };
}
