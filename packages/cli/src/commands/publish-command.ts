import { constants, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StatbusError, TopicError, resolveTopic, type JsonObject } from '@statbus/core';
import type { PublishOptions } from '@statbus/producer';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { collect } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { connectTransport } from '../connect-transport.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { loadSchemas } from '../load-schemas.js';
import { countingStream, startProgress, wantsProgress } from '../progress.js';
import { addSummaryOptions, writeSummary, type SummaryOptions } from '../summary.js';

interface PublishCommandOptions extends GlobalOptions, SummaryOptions {
  readonly topic: string;
  readonly json?: boolean;
  readonly message?: string;
  readonly user: string[];
  readonly package: string[];
  readonly agent?: string;
  readonly severity?: PublishOptions['severity'];
}

/**
 * Publishes handed to the transport and not yet settled. Over AMQP each one waits for the broker's
 * confirm: keeping many in flight lets confirms come back in batches instead of one round trip per line.
 */
const PUBLISH_WINDOW = 1_024;

/** A bad `--topic` is a usage error found before any input is read or any connection made. */
function checkTopic(topic: string, namespace: { prefix: string; env: string }): void {
  try {
    resolveTopic(namespace, topic);
  } catch (error) {
    if (error instanceof TopicError) throw new CliError(`--topic: ${error.message}`, { exitCode: 2, cause: error });
    throw error;
  }
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

async function* inputLines(file: string | undefined, message: string | undefined, io: CliIo, counted: { bytes: number }): AsyncGenerator<string> {
  if (message !== undefined) {
    yield message;
    return;
  }
  const input = file === undefined || file === '-' ? io.stdin : countingStream(file, counted).setEncoding('utf8');
  if (input === undefined) throw new CliError('no input: give a FILE, pipe lines into stdin, or use --message');
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * `statbus publish`: one message per input line (fedmsg-logger), from a file, stdin or `--message`. Every
 * line is tried; each refused one is reported with its number and why, and the exit code is then 1.
 */
export function publishCommand(io: CliIo): Command {
  return addSummaryOptions(addGlobalOptions(new Command('publish')))
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
      const { config, services, logger } = commandContext(options, io);
      const producer = services.producer();
      loadSchemas(config, io.cwd, producer);
      const transport = services.transport();
      const hints: PublishOptions = {
        ...(options.user.length === 0 ? {} : { usernames: options.user }),
        ...(options.package.length === 0 ? {} : { packages: options.package }),
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(options.severity === undefined ? {} : { severity: options.severity }),
      };
      checkTopic(options.topic, { prefix: config.topic_prefix, env: config.environment });
      // A missing file is named before the bus is asked for anything.
      if (options.message === undefined && file !== undefined && file !== '-') await access(file, constants.R_OK);
      await connectTransport(transport, config);
      const counted = { bytes: 0 };
      const fromFile = options.message === undefined && file !== undefined && file !== '-';
      // A file's size is known: progress is the share of its bytes read.
      const progress = fromFile && wantsProgress(io, options.progress) ? startProgress(io, 'statbus publish', statSync(file).size, 'bytes') : undefined;
      const refused: { line: number; reason: string }[] = [];
      let published = 0;
      let number = 0;
      let inFlight = 0;
      let fatal: Error | undefined;
      let roomMade: (() => void) | undefined;
      const settled = (): void => {
        inFlight -= 1;
        roomMade?.();
        roomMade = undefined;
      };
      try {
        for await (const line of inputLines(file, options.message, io, counted)) {
          number += 1;
          if (line.trim() === '') continue;
          let body: JsonObject;
          try {
            // Refused before parsing: a line longer than the largest message cannot become one.
            if (line.length > config.codec.max_message_bytes) throw new CliError(`${line.length} characters: larger than [codec] max_message_bytes (${config.codec.max_message_bytes})`);
            body = bodyOf(line, options.json === true);
          } catch (error) {
            if (!(error instanceof CliError)) throw error;
            refused.push({ line: number, reason: error.message });
            continue;
          }
          const lineNumber = number;
          progress?.update(counted.bytes, `${published} published`);
          inFlight += 1;
          producer.publish(options.topic, body, hints).then(
            () => {
              published += 1;
              settled();
            },
            (error: unknown) => {
              if (error instanceof StatbusError) refused.push({ line: lineNumber, reason: error.message });
              else fatal ??= error instanceof Error ? error : new Error(String(error));
              settled();
            },
          );
          while (inFlight >= PUBLISH_WINDOW) await new Promise<void>((resolve) => {
            roomMade = resolve;
          });
          if (fatal !== undefined) throw fatal;
        }
        while (inFlight > 0) await new Promise<void>((resolve) => {
            roomMade = resolve;
          });
        if (fatal !== undefined) throw fatal;
      } finally {
        await transport.close();
      }
      progress?.finish();
      logger.debug({ published, refused: refused.length }, 'publish done');
      refused.sort((a, b) => a.line - b.line);
      const text = `statbus publish: ${published} published${refused.length === 0 ? '' : `, ${refused.length} refused`}\n`;
      writeSummary(io, options, 'publish', { published, refused }, text);
      if (refused.length === 0) return;
      if (options.summary === 'json') throw new CliError('', { exitCode: 1 });
      throw new CliError(`${refused.length} message(s) not published:\n  ${refused.map(({ line, reason }) => `line ${line}: ${reason}`).join('\n  ')}`);
    });
}
