import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateKeyPair } from '@statbus/core';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addGlobalOptions, loadCliConfig, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';

/** `statbus keys generate NAME`: an Ed25519 key pair for signing as producer NAME. */
export function keysCommand(io: CliIo): Command {
  const keys = new Command('keys').description('manage the Ed25519 keys producers sign with');
  keys.addCommand(
    addGlobalOptions(new Command('generate'))
      .description('make a key pair for producer NAME: <dir>/NAME.key (private, mode 0600) and <dir>/NAME.pub')
      .argument('<name>', 'producer name (the producer.name of the service that will sign)')
      .option('--dir <dir>', 'where to write the keys (default: signing.keys_dir of the config)')
      .option('--force', 'replace existing key files')
      .action(async (name: string, options: GlobalOptions & { dir?: string; force?: boolean }) => {
        const { config } = loadCliConfig(options, io);
        const dir = resolve(io.cwd, options.dir ?? config.signing.keys_dir);
        if (options.force !== true) {
          for (const file of [`${name}.key`, `${name}.pub`]) {
            if (existsSync(join(dir, file))) throw new CliError(`${join(dir, file)} already exists; run again with --force to replace the key pair`);
          }
        }
        const pair = await generateKeyPair(name, dir, { overwrite: options.force === true });
        io.stdout.write(`private key: ${pair.privateKeyPath}\npublic key:  ${pair.publicKeyPath}\n`);
      }),
  );
  return keys;
}
