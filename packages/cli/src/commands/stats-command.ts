import { Command, Option } from 'commander';
import { commandContext } from '../command-context.js';
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
    .description('count archived messages: in all, --category (per category) or --topic (per topic)')
    .addOption(new Option('--topic', 'per topic').conflicts('category'))
    .addOption(new Option('--category', 'per category'))
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions & { topic?: boolean; category?: boolean; json?: boolean }) => {
      const context = commandContext(options, io);
      const stats = await withStore(context, (store) => store.stats());
      const breakdown = options.topic === true ? stats.byTopic : options.category === true ? stats.byCategory : undefined;
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
