import { hasRollups } from '@statbus/core';
import { followsArchive, type MetricsEngine, type MetricsReader } from '@statbus/metrics';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { collect } from '../cli-options.js';
import { commandContext, type CommandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { parseTime } from '../parse-time.js';
import { ProgressBar, formatDuration } from '../progress-bar.js';

async function withMetrics<T>(context: CommandContext, work: (parts: { engine: MetricsEngine; reader: MetricsReader }) => Promise<T>): Promise<T> {
  const store = context.services.store();
  await store.init();
  try {
    if (!hasRollups(store)) throw new CliError('this store keeps no metrics rollups');
    return await work({ engine: await context.services.metricsEngine(), reader: await context.services.metricsReader() });
  } finally {
    await store.close();
  }
}

/** `statbus metrics list | show <plugin> | rebuild`: the metrics kept in the archive. */
export function metricsCommand(io: CliIo): Command {
  const command = new Command('metrics').description('list, show and rebuild the metrics kept in the archive (volume, latest, bus health…)');
  command.addCommand(
    addGlobalOptions(new Command('list'))
      .description('list the metrics plugins: name, key, intervals, fields')
      .option('--json', 'print JSON')
      .action(async (options: GlobalOptions & { json?: boolean }) => {
        const context = commandContext(options, io);
        await withMetrics(context, async ({ reader }) => {
          const plugins = reader.catalog.describe();
          if (options.json === true) {
            io.stdout.write(`${JSON.stringify({ plugins })}\n`);
            return;
          }
          const width = Math.max(...plugins.map((p) => p.name.length));
          for (const p of plugins) io.stdout.write(`${p.name.padEnd(width)}  key=${p.key ?? '-'}  ${p.intervals.join(',')}  ${p.fields.join(',')}  ${p.description}\n`);
          await Promise.resolve();
        });
      }),
  );
  command.addCommand(
    addGlobalOptions(new Command('show'))
      .description("print a plugin's rows (newest last) as JSON lines")
      .argument('<plugin>', 'the plugin (see statbus metrics list)')
      .option('--interval <interval>', 'bucket length the plugin keeps (default 1h)')
      .option('--since <time>', 'from this time (epoch seconds or ISO 8601)')
      .option('--until <time>', 'until this time')
      .option('--key <key>', 'only this key (repeatable)', collect, [])
      .option('--rows <n>', 'the last n rows', (value) => Number.parseInt(value, 10), 50)
      .action(async (plugin: string, options: GlobalOptions & { interval?: string; since?: string; until?: string; key: string[]; rows: number }) => {
        const context = commandContext(options, io);
        await withMetrics(context, async ({ reader }) => {
          const page = await reader.stats(plugin, {
            ...(options.interval === undefined ? {} : { interval: options.interval }),
            ...(options.since === undefined ? {} : { start: parseTime('--since', options.since) }),
            ...(options.until === undefined ? {} : { end: parseTime('--until', options.until) }),
            ...(options.key.length === 0 ? {} : { keys: options.key }),
            order: 'desc',
            rowsPerPage: Math.max(1, options.rows),
          });
          for (const row of [...page.rows].reverse()) io.stdout.write(`${JSON.stringify({ ...row, at: new Date(Number(row.time) * 1000).toISOString() })}\n`);
        });
      }),
  );
  command.addCommand(
    addGlobalOptions(new Command('rebuild'))
      .description('recompute plugins from the archive (all that count archived messages, or --plugin), from --since or from the start; live archivers may go on')
      .option('--plugin <name>', 'only this plugin (repeatable)', collect, [])
      .option('--since <time>', 'recompute buckets from this time on (epoch seconds or ISO 8601), keeping older ones; only what the archive still holds is recounted (db prune keeps the rollups of what it removed, a rebuild over that span would lose them)')
      .action(async (options: GlobalOptions & { plugin: string[]; since?: string }) => {
        const context = commandContext(options, io);
        const since = options.since === undefined ? undefined : parseTime('--since', options.since);
        await withMetrics(context, async ({ engine, reader }) => {
          const names = options.plugin.length > 0 ? options.plugin : reader.catalog.list().filter((entry) => followsArchive(entry.plugin)).map((entry) => entry.plugin.name);
          const bar = new ProgressBar(io.stderr, `rebuilding ${names.length} plugin(s)`);
          const started = Date.now();
          let count: number;
          try {
            count = await engine.rebuild({ plugins: names, ...(since === undefined ? {} : { since }), onProgress: ({ done, total }) => bar.update(done, total) });
          } catch (error) {
            throw new CliError(`statbus metrics rebuild: ${(error as Error).message}`, { cause: error });
          }
          const errors = engine.counters().errors;
          bar.finish(
            `statbus metrics rebuild: ${names.join(', ')} from ${since === undefined ? 'the start' : new Date(since).toISOString()}: ${count} messages read in ${formatDuration((Date.now() - started) / 1000)}${Object.keys(errors).length === 0 ? '' : `; plugin errors ${JSON.stringify(errors)}`}`,
          );
        });
      }),
  );
  return command;
}
