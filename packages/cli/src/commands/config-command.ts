import { redactConfig } from '@statbus/core';
import { Command } from 'commander';
import { stringify } from 'smol-toml';
import { addGlobalOptions, loadCliConfig, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';

/** `statbus config`: prints the effective, validated configuration (secrets masked). */
export function configCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('config'))
    .description('print the effective configuration (file + STATBUS_* environment + flags), validated, secrets masked')
    .option('--json', 'print JSON instead of TOML')
    .action((options: GlobalOptions & { json?: boolean }) => {
      const { config, file } = loadCliConfig(options, io);
      const shown = redactConfig(config);
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      const origin = file === undefined ? 'no config file: defaults' : file;
      io.stdout.write(`# statbus effective configuration (${origin}, then STATBUS_* environment, then flags)\n${stringify(shown)}\n`);
    });
}
