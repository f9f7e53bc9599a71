import { constants, createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StatbusError, TRANSPORT, type JsonObject } from '@statbus/core';
import { Producer, type PublishOptions } from '@statbus/producer';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { collect } from '../cli-options.js';
import { commandContext } from '../command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { loadSchemas } from '../load-schemas.js';

interface PublishCommandOptions extends GlobalOptions {
  readonly topic: string;
  readonly json?: boolean;
  readonly message?: string;
  readonly user: string[];
  readonly package: string[];
  readonly agent?: string;
  readonly severity?: PublishOptions['severity'];
}

/** The body of one input line: a JSON object with `--json`, otherwise `{ message: line }` as fedmsg-logger does. */
function bodyOf(line: string, json: boolean): JsonObject {
  if (!json) return { message: line };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new CliError(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('a message body must be a JSON object');
  return value as JsonObject;
}

async function* inputLines(file: string | undefined, message: string | undefined, io: CliIo): AsyncGenerator<string> {
  if (message !== undefined) {
    yield message;
    return;
  }
  const input = file === undefined || file === '-' ? io.stdin : createReadStream(file, { encoding: 'utf8' });
  if (input === undefined) throw new CliError('no input: give a FILE, pipe lines into stdin, or use --message');
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * `statbus publish`: one message per input line (fedmsg-logger), from a file, stdin or `--message`. Every
 * line is tried; each refused one is reported with its number and why, and the exit code is then 1.
 */
export function publishCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('publish'))
    .description('publish one message per input line (from FILE, or stdin when FILE is - or absent), like fedmsg-logger')
    .argument('[file]', 'file to read lines from; - or absent for stdin')
    .requiredOption('--topic <topic>', 'full topic, or the part after <prefix>.<env>.')
    .option('--json', 'each line is a JSON object: the message body (otherwise the body is {"message": line})')
    .option('-m, --message <text>', 'publish this one message instead of reading lines')
    .option('--user <name>', 'a user the message concerns (usernames header); repeatable', collect, [])
    .option('--package <name>', 'a package the message concerns (packages header); repeatable', collect, [])
    .option('--agent <name>', 'who caused the event (agent header)')
    .option('--severity <level>', 'debug, info, warning or error')
    .action(async (file: string | undefined, options: PublishCommandOptions) => {
      const { config, container, logger } = commandContext(options, io);
      const producer = container.get(Producer);
      loadSchemas(config, io.cwd, producer);
      const transport = container.get(TRANSPORT);
      const hints: PublishOptions = {
        ...(options.user.length === 0 ? {} : { usernames: options.user }),
        ...(options.package.length === 0 ? {} : { packages: options.package }),
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(options.severity === undefined ? {} : { severity: options.severity }),
      };
      // A missing file is named before the bus is asked for anything.
      if (options.message === undefined && file !== undefined && file !== '-') await access(file, constants.R_OK);
      await transport.connect();
      const refused: string[] = [];
      let published = 0;
      let number = 0;
      try {
        for await (const line of inputLines(file, options.message, io)) {
          number += 1;
          if (line.trim() === '') continue;
          try {
            // Refused before parsing: a line longer than the largest message cannot become one.
            if (line.length > config.codec.max_message_bytes) throw new CliError(`${line.length} characters: larger than [codec] max_message_bytes (${config.codec.max_message_bytes})`);
            await producer.publish(options.topic, bodyOf(line, options.json === true), hints);
            published += 1;
          } catch (error) {
            if (!(error instanceof StatbusError || error instanceof CliError)) throw error;
            refused.push(`line ${number}: ${error.message}`);
          }
        }
      } finally {
        await transport.close();
      }
      logger.debug({ published, refused: refused.length }, 'publish done');
      io.stderr.write(`statbus publish: ${published} published${refused.length === 0 ? '' : `, ${refused.length} refused`}\n`);
      if (refused.length > 0) throw new CliError(`${refused.length} message(s) not published:\n  ${refused.join('\n  ')}`);
    });
}
