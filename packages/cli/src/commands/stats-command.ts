import { Command, Option } from 'commander';
import { compilePatterns } from '@statbus/core';
import { CliError } from '../cli-error.js';
import { topicPatternsOf } from '../resolve-pattern.js';
import { commandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { withStore } from '../with-store.js';

function table(rows: readonly (readonly [string, number])[]): string {
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  return rows.map(([name, count]) => `${name.padEnd(width)}  ${count}`).join('\n');
}

/** `statbus stats`: how many messages the archive holds, in all, by category or by topic (datanommer stats). */
export function statsCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('stats'))
    .description('count archived messages: in all, --category (per category) or --topic [P] (per topic, only those P matches)')
    .addOption(new Option('--topic [pattern]', 'per topic; with a pattern, only the topics it matches as given or under <prefix>.<env>.').conflicts('category'))
    .addOption(new Option('--category', 'per category'))
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions & { topic?: boolean | string; category?: boolean; json?: boolean }) => {
      const context = commandContext(options, io);
      const stats = await withStore(context, (store) => store.stats());
      const patterns = typeof options.topic === 'string' ? topicPatternsOf(context.config, [options.topic]) : undefined;
      let breakdown = options.topic !== undefined ? stats.byTopic : options.category === true ? stats.byCategory : undefined;
      if (patterns !== undefined && breakdown !== undefined) {
        const matcher = compilePatterns(patterns);
        breakdown = Object.fromEntries(Object.entries(breakdown).filter(([topic]) => matcher.test(topic)));
        if (Object.keys(breakdown).length === 0) throw new CliError(`no archived topic matches topic patterns ${patterns.join(', ')}`);
      }
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify(breakdown ?? { total: stats.total, first: stats.first ?? null, last: stats.last ?? null })}\n`);
        return;
      }
      if (breakdown === undefined) {
        const span = stats.first === undefined || stats.last === undefined ? '' : `, ${new Date(stats.first).toISOString()} … ${new Date(stats.last).toISOString()}`;
        io.stdout.write(`${stats.total} messages${span}\n`);
        return;
      }
      const rows = Object.entries(breakdown).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
      io.stdout.write(`${table(rows)}\n`);
    });
}
