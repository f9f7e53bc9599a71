import type { BenchReport, LatencyFigures, LossFigures, PipelineRow } from './bench-report.js';
import { fittedTable, fixed, sizeLabel, whole, wrapText } from './text-table.js';
import { profileSentences } from './profile-sentences.js';

const gaps = (row: LossFigures): string =>
  row.detected === undefined ? 'n/a' : `${row.detected.gaps} (${whole(row.detected.missed)})${row.detected.dropped === 0 ? '' : ` + ${whole(row.detected.dropped)}`}`;
/** p50, p90, p99, p99.9 with `digits` decimals, then the max with 2. */
const latencyCells = (latency: LatencyFigures, digits: number): string[] => [
  ...[latency.p50, latency.p90, latency.p99, latency.p999].map((ms) => fixed(ms, digits)),
  fixed(latency.max, 2),
];
const pair = (first: number, second: number, digits: number): string => `${fixed(first, digits)} / ${fixed(second, digits)}`;
const topicsCell = (topics: number | undefined): string => ((topics ?? 1) === 1 ? 'one' : String(topics));

const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(' ');

/** The share of the bus rate the archive keeps at or above which it counts as keeping up (the fixed-rate runs' rule). */
const KEEPS_UP = 0.95;

/**
 * What a pipeline row measured, in words: the bus alone (a consumer that only acks), the bus with the
 * archiver behind it, and what share of the first the second is.
 */
export function pipelineSentence(row: PipelineRow): string {
  const share = `${fixed(row.ratio)} of the bus rate`;
  const verdict = row.ratio >= KEEPS_UP ? `archive keeps up: ${share}` : `archive falls behind: it keeps ${share}`;
  const sustained = row.sustainedRate === undefined ? 'no fixed rate sustained' : `sustained ${whole(row.sustainedRate)} msg/s at a fixed rate`;
  return `${row.name}: bus alone ${whole(row.transportOnly.perSecond)} msg/s, bus + archive ${whole(row.archived.perSecond)} msg/s; ${verdict}; ${sustained}${cpuClause(row)}${brokerClause(row)}`;
}

/** What a RabbitMQ broker on the same machine spent a message, bus alone and with the archiver, when it was measured. */
function brokerClause(row: PipelineRow): string {
  const alone = row.transportOnly.brokerCpuUsPerMessage;
  const archived = row.archived.brokerCpuUsPerMessage;
  if (alone === undefined || archived === undefined) return '';
  const producer = row.transportOnly.producerCpuUsPerMessage;
  const consumer = row.transportOnly.consumerCpuUsPerMessage;
  const busy = ((producer + consumer + alone) * row.transportOnly.perSecond) / 1e6;
  return `; the RabbitMQ broker, on the same cores, ${fixed(alone, 1)} µs CPU a message bus alone (with the producer and the consumer that only acks, ${fixed(busy, 2)} cores busy), ${fixed(archived, 1)} with the archive`;
}

/** The archiver's CPU a message beside the store's own insertMany of the same messages, when both were measured. */
function cpuClause(row: PipelineRow): string {
  const { archived, insertMany } = row;
  const archiver = archived.consumerMainThreadCpuUsPerMessage === undefined
    ? `archiver ${fixed(archived.consumerCpuUsPerMessage, 1)} µs CPU a message`
    : `archiver ${fixed(archived.consumerMainThreadCpuUsPerMessage, 1)} µs CPU a message on its main thread, ${fixed(archived.consumerCpuUsPerMessage, 1)} in all (index worker included)`;
  if (insertMany === undefined) return `; ${archiver}`;
  const store = insertMany.callingThreadCpuUsPerMessage === undefined
    ? `${fixed(insertMany.processCpuUsPerMessage, 1)} µs`
    : `${fixed(insertMany.callingThreadCpuUsPerMessage, 1)} µs on the calling thread, ${fixed(insertMany.processCpuUsPerMessage, 1)} in all`;
  return `; ${archiver}; the store's insertMany alone (same messages, batches of ${insertMany.batch}): ${store}`;
}

/**
 * What the envelope codec alone costs beside what each raw library's producer and consumer spent a message:
 * the ceiling of statbus's rate against that library's if encoding and decoding were all its sides did (the raw
 * libraries send bytes as they are). One sentence per size.
 */
export function codecSentences(report: BenchReport): string[] {
  const sentences: string[] = [];
  for (const codec of report.codec ?? []) {
    const cost = `Envelope codec alone at ${sizeLabel(codec.size)} (${whole(codec.bytes)} B), in the bench's process: encode ${fixed(codec.encodeUs, 2)} µs, decode ${fixed(codec.decodeUs, 2)} µs (JSON.parse alone ${fixed(codec.parseUs, 2)} µs)`;
    const baselines = new Set(report.throughput.filter((row) => row.size === codec.size && row.baseline !== undefined).map((row) => row.baseline));
    const ceilings = report.throughput
      .filter((row) => row.size === codec.size && baselines.has(row.candidate) && Number.isFinite(row.producerCpuUsPerMessage) && Number.isFinite(row.consumerCpuUsPerMessage))
      .map((row) => {
        const ceiling = Math.min(row.producerCpuUsPerMessage / codec.encodeUs, row.consumerCpuUsPerMessage / codec.decodeUs);
        return `${row.name} over ${topicsCell(row.topics)} topic${(row.topics ?? 1) === 1 ? '' : 's'} spent ${pair(row.producerCpuUsPerMessage, row.consumerCpuUsPerMessage, 2)} µs a message (producer / consumer), so sides that did nothing but encode and decode would reach at most ${fixed(ceiling)}× its rate`;
      });
    sentences.push(`${cost}${ceilings.length === 0 ? '.' : `; ${ceilings.join('; ')}.`}`);
    sentences.push(...sharedCoreBudgets(report, codec));
  }
  return sentences;
}

/**
 * When the producer and the consumer run on the same machine, their CPU a message together bounds the rate:
 * what the raw library kept busy of the machine's cores, and what twice its rate would leave both statbus
 * processes a message, beside the codec's share of it and what statbus spent.
 */
function sharedCoreBudgets(report: BenchReport, codec: NonNullable<BenchReport['codec']>[number]): string[] {
  const cores = report.machine.cores;
  const rows = report.throughput.filter((row) => row.size === codec.size);
  return rows.flatMap((row) => {
    const raw = rows.find((other) => other.candidate === row.baseline && other.topics === row.topics);
    if (raw === undefined || raw.perSecond <= 0) return [];
    const rawBoth = raw.producerCpuUsPerMessage + raw.consumerCpuUsPerMessage;
    const statbusBoth = row.producerCpuUsPerMessage + row.consumerCpuUsPerMessage;
    if (!Number.isFinite(rawBoth) || !Number.isFinite(statbusBoth)) return [];
    const busy = (rawBoth * raw.perSecond) / 1e6;
    const budget = (cores * 1e6) / (2 * raw.perSecond);
    const topics = `${topicsCell(row.topics)} topic${(row.topics ?? 1) === 1 ? '' : 's'}`;
    const sentences = [
      `Both processes share ${cores} cores: ${raw.name} over ${topics} kept ${fixed(busy, 2)} of them busy (${fixed(rawBoth, 1)} µs a message, producer and consumer together); at twice its rate ${row.name} would have ${fixed(budget, 1)} µs a message for both processes, ${fixed(codec.encodeUs + codec.decodeUs, 1)} of them taken by encoding and decoding alone; it spent ${fixed(statbusBoth, 1)}.`,
    ];
    const rawBroker = raw.brokerCpuUsPerMessage;
    if (rawBroker !== undefined) {
      const withBroker = ((rawBoth + rawBroker) * raw.perSecond) / 1e6;
      const statbusBroker = row.brokerCpuUsPerMessage === undefined ? '' : ` and ${fixed(row.brokerCpuUsPerMessage, 1)} for ${row.name}`;
      sentences.push(
        `The RabbitMQ broker runs on the same cores: it spent ${fixed(rawBroker, 1)} µs of CPU a message for ${raw.name} over ${topics}${statbusBroker}; with it, ${raw.name}'s producer, consumer and broker kept ${fixed(withBroker, 2)} of the ${cores} cores busy.`,
      );
    }
    return sentences;
  });
}

/**
 * The end-of-run text: the machine, then one table per figure, skipped candidates and failures. Every table
 * and paragraph fits 100 columns: prose is wrapped, and a table too wide for that is split into several that
 * repeat the candidate column. A skip or failure is one line, however long, so that it can be searched for.
 */
export function formatReport(report: BenchReport): string {
  const { machine, options } = report;
  const sizes = new Set(report.throughput.map((row) => row.size)).size > 1 || options.sizes.length > 1;
  const sized = (cells: string[], size: number): string[] => (sizes ? [cells[0] as string, sizeLabel(size), ...cells.slice(1)] : cells);
  const sizedHeader = (cells: string[]): string[] => (sizes ? [cells[0] as string, 'size', ...cells.slice(1)] : cells);
  const keep = sizes ? 2 : 1;
  const heading = [
    `statbus bench — ${report.date} · ${Math.round(report.durationSeconds)} s`,
    wrapText(`${machine.cores} × ${machine.cpu} · ${machine.memoryGiB} GiB · node ${machine.node} · load ${load(machine.loadAverage.start)} → ${load(machine.loadAverage.end)}`, undefined, '  '),
  ].join('\n');
  const parts: string[] = [
    heading,
    wrapText(`${options.producers} producer(s) → ${options.consumers} consumer(s), each its own process (in-memory: one process); ${options.sizes.map(sizeLabel).join(', ')} messages`),
  ];
  if (report.throughput.length > 0) {
    parts.push(
      wrapText(
        `Throughput: ${whole(options.messages)} messages per producer, sent as fast as accepted, over "topics" topics (one subscription takes them all). msg/s delivered in the median of ${options.rounds} round(s); "vs raw": median of the per-round ratios; CPU µs a message and peak RSS of the producer / consumer process.`,
      ),
      fittedTable(
        sizedHeader(['candidate', 'topics', 'msg/s', 'rounds (k msg/s)', 'vs raw', 'lost', 'gaps (missed) + dropped', 'CPU µs/msg prod / cons', 'RSS MiB prod / cons']),
        report.throughput.map((row) =>
          sized(
            [
              row.name,
              topicsCell(row.topics),
              whole(row.perSecond),
              row.rounds.map((rate) => (rate / 1000).toFixed(1)).join(' / '),
              row.ratio === undefined ? '' : `${fixed(row.ratio)}×`,
              whole(row.lost),
              gaps(row),
              pair(row.producerCpuUsPerMessage, row.consumerCpuUsPerMessage, 1),
              pair(row.producerMaxRssMiB, row.consumerMaxRssMiB, 0),
            ],
            row.size,
          ),
        ),
        { keep },
      ),
      ...codecSentences(report).map((sentence) => wrapText(sentence)),
    );
  }
  if (report.latency.length > 0) {
    parts.push(
      wrapText(`Latency at fixed rates for ${options.duration} s, over ${topicsCell(options.topics[0])} topic(s): send → receipt in ms; CPU µs a message of the producer / consumer process.`),
      fittedTable(
        sizedHeader(['candidate', 'msg/s asked', 'achieved', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'lost', 'gaps (missed) + dropped', 'CPU µs/msg prod / cons']),
        report.latency.map((row) =>
          sized(
            [row.name, whole(row.rate), whole(row.publishedPerSecond), ...latencyCells(row.latency, 3), whole(row.lost), gaps(row), pair(row.producerCpuUsPerMessage, row.consumerCpuUsPerMessage, 1)],
            row.size,
          ),
        ),
        { keep },
      ),
    );
  }
  if (report.pipeline.length > 0) {
    parts.push(
      wrapText(
        `Pipeline: producer → transport → archiver → store (${report.pipeline[0]?.store ?? ''}); one shared durable queue where the transport has one. "bus alone": a consumer that only acks; "bus + archive": the archiver writing every message into the store; median of ${options.rounds} round(s), each round measuring both.`,
      ),
      ...report.pipeline.map((row) => wrapText(pipelineSentence(row), undefined, '  ')),
      fittedTable(
        sizedHeader(['transport', 'bus alone msg/s', 'bus + archive msg/s', 'archive ÷ bus', 'rounds (k msg/s)', 'lost', 'gaps (missed) + dropped', 'drain ms', 'archiver µs/msg main / all', 'archiver MiB', 'sustained msg/s']),
        report.pipeline.map((row) =>
          sized(
            [
              row.name,
              whole(row.transportOnly.perSecond),
              whole(row.archived.perSecond),
              fixed(row.ratio),
              row.transportOnly.rounds.map((rate, round) => `${(rate / 1000).toFixed(1)}→${((row.archived.rounds[round] ?? Number.NaN) / 1000).toFixed(1)}`).join(' / '),
              whole(row.archived.lost),
              gaps(row.archived),
              whole(row.archived.drainMs),
              `${row.archived.consumerMainThreadCpuUsPerMessage === undefined ? '–' : fixed(row.archived.consumerMainThreadCpuUsPerMessage, 1)} / ${fixed(row.archived.consumerCpuUsPerMessage, 1)}`,
              fixed(row.archived.consumerMaxRssMiB, 0),
              row.sustainedRate === undefined ? 'none kept up' : whole(row.sustainedRate),
            ],
            row.size,
          ),
        ),
        { keep },
      ),
      wrapText('Pipeline at fixed rates (and at 0.95× the bus-alone rate, the target): publish → archived in ms; kept up = 95 % of the rate achieved, nothing lost, the backlog drained within a second.'),
      fittedTable(
        sizedHeader(['transport', 'msg/s asked', 'achieved', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'drain ms', 'lost', 'gaps (missed) + dropped', 'kept up']),
        report.pipeline.flatMap((row) =>
          row.rates.map((rate) =>
            sized(
              [
                row.name,
                `${rate.atTarget === true ? '0.95× bus = ' : ''}${whole(rate.rate)}`,
                whole(rate.publishedPerSecond),
                ...latencyCells(rate.latency, 2),
                whole(rate.drainMs),
                whole(rate.lost),
                gaps(rate),
                rate.keptUp ? 'yes' : 'no',
              ],
              row.size,
            ),
          ),
        ),
        { keep },
      ),
    );
  }
  const profiles = profileSentences(report);
  if (profiles.length > 0) {
    parts.push(
      wrapText(`CPU profiles (--profile ${options.profile ?? ''}): each thread's busy time, and its functions with the most self time as shares of it (native code counts to the function that called it).`),
      ...profiles.map((sentence) => wrapText(sentence, undefined, '  ')),
    );
  }
  // Skips and failures stay one line each, whatever their length: scripts look for them by their first word.
  for (const row of report.skipped) parts.push(`skipped: ${row.name} (${row.mode}): ${row.reason}`);
  if (report.interrupted === true) parts.push('INTERRUPTED: the figures above are those measured before the signal');
  for (const row of report.failures.filter((failure) => failure.error !== 'interrupted')) parts.push(`FAILED: ${row.what}: ${row.error}`);
  return `${parts.join('\n\n')}\n`;
}
