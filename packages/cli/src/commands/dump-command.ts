import { toV1Message, toV2Message } from '@statbus/query';
import { exportRecord } from '@statbus/sink';
import type { ArchivedMessage, MessageQuery } from '@statbus/core';
import { Command, Option } from 'commander';
import { collect } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import type { CliIo } from '../io.js';
import { parseTime } from '../parse-time.js';
import { startProgress, wantsProgress, type Progress } from '../progress.js';
import { addSummaryOptions, writeSummary, type SummaryOptions } from '../summary.js';
import { topicPatternsOf } from '../resolve-pattern.js';
import { withStore } from '../with-store.js';

/** Writes to stdout, waiting when the reader is slower than the store. */
async function write(io: CliIo, text: string): Promise<void> {
  if (!io.stdout.write(text)) await new Promise((resolve) => io.stdout.once('drain', resolve));
}

/**
 * What `--format` writes for a message: `archive` (statbus's dump record: the envelope and what the archive
 * indexed it by — lossless), or one of `/export`'s format names: `envelope` (the envelope as it travelled),
 * `v1` (datagrepper's `/raw` message) and `v2` (fedora-messaging's dump, as datanommer-dump writes it).
 * `statbus db import` reads every one of them back.
 */
export const DUMP_FORMATS = ['archive', 'envelope', 'v1', 'v2'] as const;

/** One of {@link DUMP_FORMATS}. */
export type DumpFormat = (typeof DUMP_FORMATS)[number];

function dumpShape(format: DumpFormat): (message: ArchivedMessage) => unknown {
  if (format === 'envelope') return (message) => message.envelope;
  if (format === 'v1') return (message) => toV1Message(message);
  if (format === 'v2') return (message) => toV2Message(message);
  return exportRecord;
}

/** `statbus dump`: the archive as NDJSON on stdout, oldest first, streamed page by page (datanommer-dump). */
export function dumpCommand(io: CliIo): Command {
  return addSummaryOptions(addGlobalOptions(new Command('dump')))
    .description('write archived messages as NDJSON, oldest first: --format archive (envelope, category, users, packages, agent), envelope, v1 (datagrepper) or v2 (fedora-messaging)')
    .option('--since <time>', 'from this time on (epoch seconds or ISO 8601)')
    .option('--before <time>', 'before this time')
    .option('--topic <pattern>', 'only these topics or patterns, matched as given and under <prefix>.<env>.; repeatable', collect, [])
    .option('--category <name>', 'only these categories; repeatable', collect, [])
    .addOption(new Option('--format <name>', 'record shape; the names of /export, plus archive').choices(DUMP_FORMATS).default('archive'))
    .action(async (options: GlobalOptions & SummaryOptions & { since?: string; before?: string; topic: string[]; category: string[]; format: DumpFormat }) => {
      const context = commandContext(options, io);
      const query: MessageQuery = {
        order: 'asc',
        rowsPerPage: 1000,
        ...(options.since === undefined ? {} : { start: parseTime('--since', options.since) }),
        ...(options.before === undefined ? {} : { end: parseTime('--before', options.before) }),
        ...(options.topic.length === 0 ? {} : { topics: topicPatternsOf(context.config, options.topic) }),
        ...(options.category.length === 0 ? {} : { categories: options.category }),
      };
      const shape = dumpShape(options.format);
      await withStore(context, async (store) => {
        let page = await store.find(query);
        let written = 0;
        const progress: Progress | undefined = wantsProgress(io, options.progress) && page.total > 0 ? startProgress(io, 'statbus dump', page.total, 'messages') : undefined;
        for (;;) {
          for (const message of page.messages) await write(io, `${JSON.stringify(shape(message))}\n`);
          written += page.messages.length;
          progress?.update(written);
          if (page.nextCursor === undefined) break;
          page = await store.find({ ...query, cursor: page.nextCursor });
        }
        progress?.finish();
        const unmatched = written === 0 && query.topics !== undefined ? `statbus dump: no message matches topic patterns ${query.topics.join(', ')}\n` : '';
        writeSummary(io, options, 'dump', { written, format: options.format }, `statbus dump: ${written} message(s) written\n${unmatched}`);
      });
    });
}
