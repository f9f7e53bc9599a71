import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { redactUrl } from '@statbus/core';
import { importInputRecords, importRecords, readDatanommer, type ImportSummary } from '@statbus/sink';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { commandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { parseTime } from '../parse-time.js';
import { countingStream, startProgress, wantsProgress, type Progress } from '../progress.js';
import { addSummaryOptions, writeSummary, type SummaryOptions } from '../summary.js';
import { withStore } from '../with-store.js';
import { dbMaintenanceCommands } from './db-maintenance-commands.js';

function progressLine(summary: Readonly<ImportSummary>): string {
  const refused = [...summary.refused.values()].reduce((sum, count) => sum + count, 0);
  return `read ${summary.read}: ${summary.inserted} new, ${summary.duplicates} already stored, ${refused} refused`;
}

/**
 * Messages per write of `db import`: large, because each write rewrites the index pages its messages land on,
 * and random ids (fedmsg's uuid4) land on a different page each.
 */
const DEFAULT_IMPORT_BATCH = 10_000;

/** `statbus db init` and `statbus db import` (datanommer's create-db, plus moving an archive in). */
export function dbCommand(io: CliIo): Command {
  const db = new Command('db').description('create, migrate and fill the archive');
  db.addCommand(
    addGlobalOptions(new Command('init'))
      .description('create or migrate the store schema and indexes (also done at every start)')
      .action(async (options: GlobalOptions) => {
        const context = commandContext(options, io);
        // An SQLite store creates the directories its file needs: said, so that a mistyped path is seen at once.
        const file = context.config.store.startsWith('sqlite:') ? context.config.store.slice('sqlite:'.length) : ':memory:';
        const created = file === ':memory:' || existsSync(dirname(file)) ? undefined : dirname(file);
        await withStore(context, async (store) => {
          const { count } = await store.count({}, { estimate: true });
          io.stdout.write(`store ready: ${redactUrl(context.config.store)} (${count} messages${created === undefined ? '' : `; created the directory ${created}`})\n`);
        });
      }),
  );
  db.addCommand(
    addSummaryOptions(addGlobalOptions(new Command('import')))
      .description(
        'import an export: statbus dump records or envelopes, datagrepper /raw (v1) messages, or fedora-messaging messages ' +
          '(datanommer-dump, datagrepper /v2/); NDJSON or one JSON array; or a datanommer database read directly (postgresql://…), ' +
          'with its users and packages; idempotent, original ids and times kept',
      )
      .argument('[source]', 'file to read; - or absent for stdin; postgresql://user@host/db for a datanommer database')
      .option('--batch-size <n>', 'messages per write (and rows per database read)', (value) => Number(value), DEFAULT_IMPORT_BATCH)
      .option('--since <time>', 'a datanommer database: only messages from this time on (epoch seconds or ISO 8601)')
      .option('--before <time>', 'a datanommer database: only messages before this time')
      .action(async (source: string | undefined, options: GlobalOptions & SummaryOptions & { batchSize: number; since?: string; before?: string }) => {
        if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new CliError('--batch-size must be a positive whole number');
        const context = commandContext(options, io);
        const database = source !== undefined && /^postgres(ql)?:\/\//u.test(source) ? source : undefined;
        if (database === undefined && (options.since !== undefined || options.before !== undefined)) throw new CliError('--since and --before apply to a datanommer database (postgresql://…)', { exitCode: 2 });
        const file = database === undefined && source !== undefined && source !== '-' ? source : undefined;
        const counted = { bytes: 0 };
        // A file's size is known before reading it: progress is the share of its bytes read.
        const size = file === undefined ? undefined : statSync(file).size;
        const input = database !== undefined ? undefined : ((file === undefined ? io.stdin : countingStream(file, counted)) as Readable | undefined);
        if (database === undefined && input === undefined) throw new CliError('no input: give a FILE or pipe records into stdin');
        const showProgress = wantsProgress(io, options.progress);
        const interactive = (io.stderr as { isTTY?: boolean }).isTTY === true;
        let progress: Progress | undefined = showProgress && size !== undefined ? startProgress(io, 'statbus db import', size, 'bytes') : undefined;
        let reported = 0;
        let indexing: Progress | undefined;
        // The archiver's extractors: the configured topic prefix and [sink] meta_rules, then Fedora's rules.
        const { extractors } = context.services.archiverOptions();
        const importOptions = {
          prefix: context.config.topic_prefix,
          ...(extractors === undefined ? {} : { extractors }),
          batchSize: options.batchSize,
          onProgress: (current: Readonly<ImportSummary>) => {
            if (!showProgress) return;
            if (progress !== undefined) progress.update(size === undefined ? current.read : counted.bytes, progressLine(current));
            else if (interactive) io.stderr.write(`\r${progressLine(current)}`);
            else if (current.read - reported >= 10 * options.batchSize) {
              reported = current.read;
              io.stderr.write(`${progressLine(current)}\n`);
            }
          },
          // After the rows, the archive's deferred indexes are completed: a second report, in messages.
          onIndexing: (indexed: number, current: Readonly<ImportSummary>) => {
            if (!showProgress) return;
            if (indexing === undefined) {
              progress?.finish();
              progress = undefined;
              indexing = startProgress(io, 'statbus db import: indexing', Math.max(current.inserted, indexed), 'messages');
            }
            indexing.update(indexed);
          },
        };
        const summary = await withStore(context, (store) =>
          database === undefined
            ? importRecords(store, input as Readable, importOptions)
            : importInputRecords(
                store,
                readDatanommer(database, {
                  batchSize: options.batchSize,
                  ...(options.since === undefined ? {} : { start: parseTime('--since', options.since) }),
                  ...(options.before === undefined ? {} : { end: parseTime('--before', options.before) }),
                  onEstimate: (rows) => {
                    io.stderr.write(`statbus db import: reading the datanommer database at ${redactUrl(database)}${rows === undefined ? '' : ` (about ${rows} messages)`}\n`);
                    if (showProgress && rows !== undefined && rows > 0) progress = startProgress(io, 'statbus db import', rows, 'messages');
                  },
                }),
                importOptions,
              ),
        );
        progress?.finish();
        indexing?.finish();
        const refusedCount = [...summary.refused.values()].reduce((sum, count) => sum + count, 0);
        const text = [
          `${interactive && showProgress && progress === undefined ? '\r' : ''}statbus db import: ${progressLine(summary)}\n`,
          ...[...summary.refused].map(([reason, count]) => `  refused ${count} × ${reason}\n`),
          ...summary.examples.map((example) => `  ${example}\n`),
        ].join('');
        const fields = { read: summary.read, inserted: summary.inserted, duplicates: summary.duplicates, refused: refusedCount, reasons: Object.fromEntries(summary.refused), examples: summary.examples };
        writeSummary(io, options, 'db import', fields, text);
        if (summary.refused.size > 0) throw new CliError(options.summary === 'json' ? '' : `some records were refused (see above); the others are stored`);
      }),
  );
  for (const command of dbMaintenanceCommands(io)) db.addCommand(command);
  return db;
}
