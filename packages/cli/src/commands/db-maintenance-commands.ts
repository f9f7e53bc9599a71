import {
  REDACTED,
  archiveMessage,
  redactUrl,
  retentionSelections,
  supportsMaintenance,
  type ArchiveMaintenance,
  type MaintenanceOptions,
  type MessageStore,
  type RetentionSelection,
} from '@statbus/core';
import { createRollupCorrection } from '@statbus/metrics';
import { MongoMessageStore, applyRetention } from '@statbus/sink';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { collect } from '../cli-options.js';
import { commandContext, type CommandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { withStore } from '../with-store.js';

const DAY_MS = 86_400_000;

/** Opens the store and runs `work` on it when it can remove messages; a CliError naming the store otherwise. */
function withMaintenance<T>(context: CommandContext, work: (store: MessageStore & ArchiveMaintenance) => Promise<T>): Promise<T> {
  return withStore(context, (store) => {
    if (!supportsMaintenance(store)) throw new CliError(`${redactUrl(context.config.store)}: this store cannot delete, redact or prune messages (the SQLite and MongoDB stores can)`);
    return work(store);
  });
}

/**
 * What a delete or a redaction does beside the message: the metrics' rollups follow it (every plugin of `[metrics]`
 * that counted the message), and a redaction derives users, packages and agent again as the archiver does.
 */
async function maintenanceOptions(context: CommandContext): Promise<MaintenanceOptions> {
  const catalog = await context.services.metricsCatalog();
  const { extractors } = context.services.archiverOptions();
  const prefix = context.config.topic_prefix;
  return {
    rollups: createRollupCorrection(catalog),
    derive: (envelope) => archiveMessage(envelope, { prefix, ...(extractors === undefined ? {} : { extractors }) }),
  };
}

/** `--older-than 30d` (d, h or m) → ms. */
function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([dhm])$/u.exec(value.trim());
  if (match === null) throw new CliError(`--older-than ${JSON.stringify(value)}: give a number of days, hours or minutes (30d, 12h, 90m)`, { exitCode: 2 });
  const unit = match[2] === 'd' ? DAY_MS : match[2] === 'h' ? 3_600_000 : 60_000;
  return Number(match[1]) * unit;
}

/**
 * `statbus db delete`, `db redact`, `db prune` and `db backup`: keeping an archive safe. Each change is logged
 * (and written to stderr) with what it removed.
 */
export function dbMaintenanceCommands(io: CliIo): Command[] {
  const remove = addGlobalOptions(new Command('delete'))
    .description('delete messages by id from the archive (a leaked secret); logged')
    .argument('<id...>', 'message ids')
    .action(async (ids: string[], options: GlobalOptions) => {
      const context = commandContext(options, io);
      const maintenance = await maintenanceOptions(context);
      const deleted = await withMaintenance(context, (store) => store.deleteMessages(ids, maintenance));
      context.logger.warn({ ids: deleted }, 'messages deleted');
      const missing = ids.filter((id) => !deleted.includes(id));
      io.stderr.write(`statbus db delete: ${deleted.length} deleted${missing.length === 0 ? '' : `; not found: ${missing.join(', ')}`}\n`);
      if (missing.length > 0) throw new CliError(`${missing.length} id(s) not in the archive`);
    });
  const redact = addGlobalOptions(new Command('redact'))
    .description(`replace fields of one message with "${REDACTED}" (the whole body without --field); drops its signature; logged`)
    .argument('<id>', 'message id')
    .option('--field <path>', 'body, body.<key>[.<key>…] or headers.<name>; repeatable', collect, [])
    .action(async (id: string, options: GlobalOptions & { field: string[] }) => {
      const context = commandContext(options, io);
      const maintenance = await maintenanceOptions(context);
      const done = await withMaintenance(context, (store) => store.redactMessage(id, options.field, maintenance));
      if (!done) throw new CliError(`no message ${JSON.stringify(id)} in the archive`);
      const fields = options.field.length === 0 ? ['body'] : options.field;
      context.logger.warn({ id, fields }, 'message redacted');
      io.stderr.write(`statbus db redact: ${id}: ${fields.join(', ')} redacted\n`);
    });
  const prune = addGlobalOptions(new Command('prune'))
    .description('remove old messages: by --older-than (with --topic / --category), else by the [sink.retention] rules; in batches, online; the metrics keep counting them')
    .option('--older-than <age>', 'remove messages older than this: 30d, 12h, 90m')
    .option('--topic <pattern>', 'only topics matching this pattern (* and #); repeatable', collect, [])
    .option('--category <name>', 'only this category; repeatable', collect, [])
    .option('--batch-size <n>', 'messages per transaction', (value) => Number(value))
    .action(async (options: GlobalOptions & { olderThan?: string; topic: string[]; category: string[]; batchSize?: number }) => {
      const context = commandContext(options, io);
      const retention = context.config.sink.retention;
      const batchSize = options.batchSize ?? retention.batch_size;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError('--batch-size must be a positive whole number', { exitCode: 2 });
      if (options.olderThan === undefined && (options.topic.length > 0 || options.category.length > 0)) throw new CliError('--topic and --category need --older-than', { exitCode: 2 });
      const selections: RetentionSelection[] =
        options.olderThan === undefined
          ? retentionSelections(retention, Date.now())
          : [{ before: Math.floor(Date.now() - parseAge(options.olderThan)), topics: options.topic, categories: options.category }];
      if (selections.length === 0) throw new CliError('nothing to prune: give --older-than, or rules in [sink.retention]', { exitCode: 2 });
      const rules = selections.map((selection) => ({ max_age_days: (Date.now() - selection.before) / DAY_MS, topics: [...(selection.topics ?? [])], categories: [...(selection.categories ?? [])] }));
      const report = await withMaintenance(context, (store) => applyRetention(store, { ...retention, batch_size: batchSize, rules }, { logger: context.logger }));
      for (const rule of report.rules) {
        const scope = [...(rule.selection.topics ?? []), ...(rule.selection.categories ?? []).map((name) => `category ${name}`)].join(', ') || 'all topics';
        io.stderr.write(`statbus db prune: ${rule.deleted} deleted (before ${new Date(rule.selection.before).toISOString()}, ${scope}) in ${rule.batches} batch(es)\n`);
      }
      io.stdout.write(`${report.deleted}\n`);
    });
  const backup = addGlobalOptions(new Command('backup'))
    .description('write a consistent copy of the archive to FILE while it stays online (SQLite backup API; a MongoDB archive: mongodump, whose command it prints)')
    .argument('<file>', 'the copy to write (replaced if it exists)')
    .action(async (file: string, options: GlobalOptions) => {
      const context = commandContext(options, io);
      const configured = context.services.store();
      // MongoDB's own tool copies a MongoDB archive: said at once, with the command, whether the server is up or not.
      if (configured instanceof MongoMessageStore) {
        await configured.backup(file).catch((error: unknown) => {
          throw new CliError((error as Error).message, { cause: error });
        });
      }
      await withMaintenance(context, async (store) => {
        if (store.backup === undefined) throw new CliError('this store cannot be copied online');
        await store.backup(file);
      });
      context.logger.info({ file }, 'archive backed up');
      io.stderr.write(`statbus db backup: written to ${file}\n`);
    });
  return [remove, redact, prune, backup];
}
