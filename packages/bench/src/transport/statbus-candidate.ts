import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createEnvelope, type Envelope, type Transport, type TransportCounters } from '@statbus/core';
import type { Candidate, CandidateInfo, ConsumerListener, ConsumerSide, DetectedLoss, ProcessLocal, ProducerSide, SideSettings } from './candidate.js';
import { mixIndex, topicMix } from './topic-mix.js';

/** The topic of measured messages. */
export const BENCH_TOPIC = 'org.statbus.bench.statbus.message.sent';
/** The topic of probes (sent until every consumer has seen one). */
export const PROBE_TOPIC = 'org.statbus.bench.statbus.probe.sent';
/** Where the topics of a mix live; a consumer of a mix takes `<MIX_BASE>.#`. */
export const MIX_BASE = 'org.statbus.bench.statbus.mix';

/** The patterns a consumer of `topics` topics subscribes to. */
export function benchPatterns(topics: number): string[] {
  return topics <= 1 ? [BENCH_TOPIC, PROBE_TOPIC] : [`${MIX_BASE}.#`, PROBE_TOPIC];
}

/** The stamp of trailers: on the measured topic (a loss before one shows as a gap), not counted. */
export const TRAILER = -1;

/** Tells the listener of one received envelope: a probe, a measured message, or nothing for a trailer. */
export function dispatchEnvelope(envelope: Envelope, listener: ConsumerListener): void {
  if (envelope.topic === PROBE_TOPIC) return listener.probe(envelope.producer.instance);
  const stamp = envelope.body['t'] as number;
  if (stamp !== TRAILER) listener.message(stamp);
}

/** What a statbus transport reported lost: its gaps, the messages missing in them, and its drops of every reason. */
export function detectedLoss(counters: TransportCounters): DetectedLoss {
  return { gaps: counters.gaps, missed: counters.missed, dropped: Object.values(counters.dropped).reduce((sum, count) => sum + count, 0) };
}

/** Words of the bodies' text: what services write in comments, changelogs and build notes. */
const FILLER_WORDS = [
  'update', 'build', 'rawhide', 'fixes', 'karma', 'stable', 'testing', 'task', 'completed', 'failed', 'release', 'branch',
  'commit', 'merged', 'pull-request', 'review', 'approved', 'comment', 'the', 'a', 'for', 'with', 'on', 'in', 'and', 'to',
  'of', 'CVE-2024-1234', 'F41', 'x86_64', 'aarch64', 'noarch', '1.2.3-1.fc41', 'kernel', 'firefox', 'python3', 'systemd',
  'regression', 'backport', 'upstream', 'security', 'bugfix', 'enhancement', 'signed', 'pushed', 'obsoletes',
];

/** Distinct texts the producer rotates through: consecutive bodies differ, as real traffic does. */
const FILLER_TEXTS = 64;

/**
 * Texts of words (ASCII, so `length` characters are `length` bytes) that pad bodies to the message size. Real
 * text, not one repeated character: what the archive does with a body (its `contains` index) costs what it
 * costs on real messages.
 */
function fillerTexts(length: number): string[] {
  let state = 0x2545f491;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  return Array.from({ length: FILLER_TEXTS }, () => {
    let text = '';
    while (text.length < length) text += `${text === '' ? '' : ' '}${FILLER_WORDS[next() % FILLER_WORDS.length] ?? ''}`;
    return text.slice(0, length);
  });
}

/** Texts that pad a body so that the encoded envelope is about `size` bytes. */
export function paddedBodies(size: number): string[] {
  const probe = createEnvelope({
    topic: BENCH_TOPIC,
    body: { t: 0, pad: '' },
    producer: { name: 'bench', host: 'localhost', pid: process.pid, instance: randomUUID() },
    seq: 1,
  });
  const overhead = Buffer.byteLength(JSON.stringify(probe)) + 12;
  return fillerTexts(Math.max(0, size - overhead));
}

/** One measured envelope as the statbus producer sends it at `size` bytes (a body of text padding it). */
export function benchEnvelope(size: number, topic = BENCH_TOPIC): Envelope {
  const producer = { name: 'bench', host: hostname(), pid: process.pid, instance: randomUUID() };
  return { id: `bench-${producer.instance}-1`, topic, time: Date.now(), producer, seq: 1, headers: {}, body: { t: 0, pad: paddedBodies(size)[1] ?? '' } };
}

/** A statbus transport as a candidate; `transport` is also what the pipeline's archiver runs over. */
export interface StatbusCandidate extends Candidate {
  /** One connected-to-be transport for one side (each side its own connection). */
  transport(role: 'publisher' | 'subscriber', settings: SideSettings, local: ProcessLocal): Promise<Transport>;
}

/** The sending side over a statbus transport: publishes are pipelined up to `settings.window` unsettled promises, as an application would, since the transport keeps their order. */
export async function statbusProducer(transport: Transport, settings: SideSettings): Promise<ProducerSide> {
  await transport.connect();
  const pads = paddedBodies(settings.size);
  const producer = { name: 'bench', host: hostname(), pid: process.pid, instance: randomUUID() };
  let seq = 0;
  const envelope = (topic: string, stamp: number): Envelope => {
    seq += 1;
    return { id: `bench-${producer.instance}-${seq}`, topic, time: Date.now(), producer, seq, headers: {}, body: { t: stamp, pad: pads[seq % pads.length] ?? '' } };
  };
  const topics = topicMix(MIX_BASE, settings.topics, BENCH_TOPIC);
  // Measured messages and trailers rotate over the mix, so that a loss before a trailer shows as a gap on its topic.
  const measuredTopic = (): string => topics[mixIndex(seq + 1, topics.length)] as string;
  const pending: Promise<void>[] = [];
  let failure: unknown;
  const publish = async (topic: string, stamp: number): Promise<void> => {
    if (pending.length >= settings.window) await pending.shift();
    if (failure !== undefined) throw failure as Error;
    pending.push(transport.publish(envelope(topic, stamp)).catch((error: unknown) => void (failure = error)));
  };
  return {
    probe: () => publish(PROBE_TOPIC, 0),
    trail: () => publish(measuredTopic(), TRAILER),
    send: (stamp) => publish(measuredTopic(), stamp),
    flush: async () => {
      await Promise.all(pending.splice(0));
      if (failure !== undefined) throw failure as Error;
    },
    close: () => transport.close(),
  };
}

/**
 * A statbus transport as a benchmark candidate: `create` makes one transport per side (publisher or
 * subscriber), each its own connection. The subscriber acks every delivery as it comes.
 */
export function statbusCandidate(info: CandidateInfo, create: StatbusCandidate['transport']): StatbusCandidate {
  return {
    ...info,
    transport: create,
    producer: async (settings, local) => statbusProducer(await create('publisher', settings, local), settings),
    async consumer(settings, listener, local): Promise<ConsumerSide> {
      const subscriber = await create('subscriber', settings, local);
      await subscriber.connect();
      const subscription = await subscriber.subscribe(benchPatterns(settings.topics), {
        prefetch: settings.prefetch,
        ...(settings.queue === undefined ? {} : { queue: settings.queue }),
      });
      const receiving = (async () => {
        for await (const delivery of subscription) {
          dispatchEnvelope(delivery.envelope, listener);
          await delivery.ack();
        }
      })();
      return {
        detected: () => detectedLoss(subscriber.counters()),
        close: async () => {
          await subscriber.close();
          await receiving;
        },
      };
    },
  };
}
