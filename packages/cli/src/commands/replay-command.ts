import { HEADER_REPLAYED, type ArchivedMessage, type Envelope, type MessageQuery, type MessageStore } from '@statbus/core';
import { parseParams, type RawParams } from '@statbus/query';
import { AmqpQueuePublisher } from '@statbus/transport-amqp';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { collect, positiveNumber } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { connectTransport } from '../connect-transport.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { parseTime } from '../parse-time.js';
import { startProgress, wantsProgress } from '../progress.js';
import { addSummaryOptions, writeSummary, type SummaryOptions } from '../summary.js';
import { topicPatternsOf } from '../resolve-pattern.js';
import { withStore } from '../with-store.js';

interface ReplayOptions extends GlobalOptions, SummaryOptions {
  readonly since?: string;
  readonly before?: string;
  readonly topic: string[];
  readonly id: string[];
  readonly rate?: number;
  readonly queue?: string;
  readonly dryRun?: boolean;
}

/** Publishes not yet confirmed at once: enough to keep the bus busy, bounded so memory is. */
const IN_FLIGHT = 256;
const PAGE_ROWS = 1000;

/** A `/raw` query string (`category=bodhi&user=alice&start=…`) as the parameters parseParams reads. */
function rawParams(filter: string | undefined): RawParams {
  const params: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(filter?.replace(/^\?/u, '') ?? '')) (params[key] ??= []).push(value);
  return Object.fromEntries(Object.entries(params).map(([key, values]) => [key, values.length === 1 ? (values[0] as string) : values]));
}

/** What the user asked for, in words: for the message when nothing matches. */
function describeFilter(filter: string | undefined, options: ReplayOptions, patterns: readonly string[]): string {
  return [
    ...(filter === undefined || filter === '' ? [] : [`filter ${JSON.stringify(filter)}`]),
    ...(options.since === undefined ? [] : [`--since ${options.since}`]),
    ...(options.before === undefined ? [] : [`--before ${options.before}`]),
    ...(patterns.length === 0 ? [] : [`topic patterns ${patterns.join(', ')}`]),
  ].join(', ');
}

/** The archived messages to replay, oldest first, page by page. */
async function* selected(store: MessageStore, query: MessageQuery): AsyncGenerator<ArchivedMessage, number> {
  let page = await store.find(query);
  for (;;) {
    for (const message of page.messages) yield message;
    if (page.nextCursor === undefined) return page.total;
    page = await store.find({ ...query, cursor: page.nextCursor });
  }
}

/** The archived messages to replay by id; an unknown id is an error naming it. */
async function* byId(store: MessageStore, ids: readonly string[]): AsyncGenerator<ArchivedMessage, number> {
  const found = await Promise.all(ids.map(async (id) => ({ id, message: await store.get(id) })));
  const missing = found.filter((entry) => entry.message === undefined).map((entry) => entry.id);
  if (missing.length > 0) throw new CliError(`no archived message has id ${missing.join(', ')}`);
  for (const entry of found) yield entry.message as ArchivedMessage;
  return ids.length;
}

/**
 * `statbus replay`: publishes archived messages again (fedora-messaging replay, datagrepper's filters): to
 * the bus over the configured transport, or with `--queue` into one AMQP queue only. Each keeps its id,
 * time, producer and body and gains the `replayed` header, so archivers store nothing twice.
 */
export function replayCommand(io: CliIo): Command {
  return addSummaryOptions(addGlobalOptions(new Command('replay')))
    .description('publish archived messages again, marked replayed, original ids kept: any /raw filter with a time range, or --id')
    .argument('[filter]', "a /raw query string: 'category=bodhi&user=alice&start=2026-01-01&end=2026-01-02' (start, end, delta and every filter of /raw)")
    .option('--since <time>', 'from this time on (epoch seconds or ISO 8601)')
    .option('--before <time>', 'before this time')
    .option('--topic <pattern>', 'only these topics or patterns, matched as given and under <prefix>.<env>.; repeatable', collect, [])
    .option('--id <id>', 'replay this message (repeatable); no other filter needed', collect, [])
    .option('--rate <n>', 'at most this many messages a second (default: as fast as the bus takes them)', positiveNumber('--rate'))
    .option('--queue <name>', 'AMQP only: into this queue alone (one consumer group), through the default exchange, instead of the exchange')
    .option('--dry-run', 'say how many messages would be replayed, publish nothing')
    .action(async (filter: string | undefined, options: ReplayOptions) => {
      const context = commandContext(options, io);
      const { config, services } = context;
      if (options.queue !== undefined && config.transport !== 'amqp') throw new CliError('--queue needs the AMQP transport (--transport amqp): ZeroMQ has no queues', { exitCode: 2 });
      const raw = rawParams(filter);
      const patterns = topicPatternsOf(config, options.topic);
      if (options.id.length > 0 && (filter !== undefined || options.since !== undefined || options.before !== undefined || patterns.length > 0)) {
        throw new CliError('--id replays the messages it names: give it without a filter, --since, --before or --topic', { exitCode: 2 });
      }
      const timed = options.since !== undefined || options.before !== undefined || ['start', 'end', 'delta'].some((key) => key in raw);
      if (options.id.length === 0 && !timed) {
        throw new CliError('say which messages: a time range (--since/--before, or start=, end= or delta= in the filter) or --id ID', { exitCode: 2 });
      }
      const parsed = parseParams(raw, ['time', 'filters'], PAGE_ROWS).query;
      const query: MessageQuery = {
        ...parsed,
        order: 'asc',
        rowsPerPage: PAGE_ROWS,
        ...(options.since === undefined ? {} : { start: parseTime('--since', options.since) }),
        ...(options.before === undefined ? {} : { end: parseTime('--before', options.before) }),
        ...(patterns.length === 0 ? {} : { topics: [...(parsed.topics ?? []), ...patterns] }),
      };
      const what = options.id.length > 0 ? `--id ${options.id.join(', ')}` : describeFilter(filter, options, patterns);
      await withStore(context, async (store) => {
        const total = options.id.length > 0 ? options.id.length : (await store.count(query)).count;
        if (total === 0) throw new CliError(`no archived message matches ${what}`);
        if (options.dryRun === true) {
          io.stdout.write(`${total} message(s) match ${what}; nothing published (--dry-run)\n`);
          return;
        }
        const queue = options.queue === undefined ? undefined : await AmqpQueuePublisher.open(config, options.queue);
        const transport = queue === undefined ? services.transport() : undefined;
        const send: (envelope: Envelope) => Promise<void> = queue === undefined ? (envelope) => (transport as NonNullable<typeof transport>).publish(envelope) : (envelope) => queue.publish(envelope);
        const shutdown = shutdownSignal(io);
        let stopped = false;
        void shutdown.received.then((reason) => {
          if (reason !== 'stopped') stopped = true;
        });
        const progress = wantsProgress(io, options.progress) ? startProgress(io, 'statbus replay', total, 'messages') : undefined;
        const started = Date.now();
        const replayedAt = new Date(started).toISOString();
        const inFlight = new Set<Promise<void>>();
        const failures: string[] = [];
        let sent = 0;
        let confirmed = 0;
        try {
          if (transport !== undefined) await connectTransport(transport, config);
          io.stderr.write(`statbus replay: ${total} message(s) matching ${what}, to ${queue === undefined ? `the bus over ${config.transport}` : `queue ${queue.queue}`}${options.rate === undefined ? '' : ` at ${options.rate}/s`}\n`);
          for await (const message of options.id.length > 0 ? byId(store, options.id) : selected(store, query)) {
            if (stopped) break;
            if (options.rate !== undefined) {
              const due = started + (sent * 1000) / options.rate;
              if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
            }
            const envelope: Envelope = { ...message.envelope, headers: { ...message.envelope.headers, [HEADER_REPLAYED]: replayedAt } };
            const publishing = send(envelope).then(
              () => {
                confirmed += 1;
              },
              (error: unknown) => {
                failures.push(`${envelope.id}: ${(error as Error).message}`);
              },
            );
            const tracked = publishing.finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
            sent += 1;
            progress?.update(sent);
            if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
          }
          await Promise.all(inFlight);
        } finally {
          shutdown.stop();
          await queue?.close();
          await transport?.close();
        }
        progress?.finish();
        const text = [
          `statbus replay: ${confirmed} of ${total} replayed${stopped ? ' (stopped early)' : ''}${failures.length > 0 ? `, ${failures.length} failed` : ''}\n`,
          ...failures.slice(0, 20).map((failure) => `  ${failure}\n`),
        ].join('');
        writeSummary(io, options, 'replay', { matched: total, replayed: confirmed, failed: failures.length, stopped, failures: failures.slice(0, 20) }, text);
        if (failures.length > 0) throw new CliError(options.summary === 'json' ? '' : `${failures.length} message(s) not replayed (see above)`);
      });
    });
}
