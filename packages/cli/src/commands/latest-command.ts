import type { ArchivedMessage, MessageQuery } from '@statbus/core';
import { Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { commandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { topicPatterns } from '../resolve-pattern.js';
import { withStore } from '../with-store.js';

interface LatestOptions extends GlobalOptions {
  readonly topic?: string;
  readonly category?: string;
  readonly overall?: boolean;
  readonly human?: boolean;
}

function human(message: ArchivedMessage): string {
  const age = Math.max(0, Date.now() - message.envelope.time);
  const ago = age < 60_000 ? `${Math.round(age / 1000)} s` : age < 3_600_000 ? `${Math.round(age / 60_000)} min` : age < 86_400_000 ? `${Math.round(age / 3_600_000)} h` : `${Math.round(age / 86_400_000)} days`;
  return `${new Date(message.envelope.time).toISOString()} (${ago} ago)  ${message.envelope.topic}  ${message.envelope.id}`;
}

/**
 * `statbus latest`: the newest archived message of a topic, of a category, or overall; with none of them, the
 * newest of each category (datanommer latest).
 */
export function latestCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('latest'))
    .description('the newest archived message of a topic, a category, or overall; with none of these, the newest of each category')
    .addOption(new Option('--topic <pattern>', 'of this topic or pattern, matched as given and under <prefix>.<env>.').conflicts(['category', 'overall']))
    .addOption(new Option('--category <name>', 'of this category').conflicts('overall'))
    .option('--overall', 'of the whole archive')
    .option('--human', 'a line a person reads, instead of the JSON record')
    .action(async (options: LatestOptions) => {
      const context = commandContext(options, io);
      if (options.topic === undefined && options.category === undefined && options.overall !== true) {
        // As datanommer's latest with no selector: the newest message of each category, newest first.
        const newest = await withStore(context, async (store) => {
          const categories = [...new Set((await store.topics()).map((topic) => topic.category))];
          const found = await Promise.all(categories.map(async (category) => (await store.find({ order: 'desc', rowsPerPage: 1, categories: [category] })).messages[0]));
          return found.filter((message) => message !== undefined).sort((a, b) => b.envelope.time - a.envelope.time);
        });
        if (newest.length === 0) throw new CliError('no message matches (the archive is empty)');
        for (const message of newest) io.stdout.write(`${options.human === true ? human(message) : JSON.stringify(message)}\n`);
        return;
      }
      const patterns = options.topic === undefined ? undefined : topicPatterns(context.config, options.topic);
      const query: MessageQuery = {
        order: 'desc',
        rowsPerPage: 1,
        ...(patterns === undefined ? {} : { topics: patterns }),
        ...(options.category === undefined ? {} : { categories: [options.category] }),
      };
      const page = await withStore(context, (store) => store.find(query));
      const latest = page.messages[0];
      if (latest === undefined) {
        const what = [
          ...(patterns === undefined ? [] : [`topic patterns ${patterns.join(', ')}`]),
          ...(options.category === undefined ? [] : [`category ${options.category}`]),
        ];
        throw new CliError(`no message matches${what.length === 0 ? ' (the archive is empty)' : ` ${what.join(' and ')}`}`);
      }
      io.stdout.write(`${options.human === true ? human(latest) : JSON.stringify(latest)}\n`);
    });
}
