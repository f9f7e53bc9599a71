import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { archiveMessage, type ArchivedMessage } from '@statbus/core';
import type { InsertManyFigures } from '../report/bench-report.js';
import { BENCH_TOPIC, MIX_BASE, paddedBodies } from '../transport/statbus-candidate.js';
import { mixIndex, topicMix } from '../transport/topic-mix.js';
import { mainThreadCpuMs } from '../proc-cpu.js';

/** Messages per `insertMany`: the archiver's default batch. */
const BATCH = 500;

/**
 * The store's own `insertMany` on the pipeline's messages (same sizes, bodies and topics, archived beforehand,
 * batches of the archiver's size) into a fresh SQLite file in `dir`, in this process: what the archiver adds to it
 * is the transport, the extractors and the batching. CPU of the calling thread while inserting, then of the whole
 * process (the store's index worker included) once the deferred indexes are complete.
 */
export async function measureInsertMany(dir: string, size: number, topics: number, count: number): Promise<InsertManyFigures> {
  const { SqliteMessageStore } = await import('@statbus/sink');
  const pads = paddedBodies(size);
  const mix = topicMix(MIX_BASE, topics, BENCH_TOPIC);
  const producer = { name: 'bench', host: 'localhost', pid: process.pid, instance: randomUUID() };
  const messages: ArchivedMessage[] = Array.from({ length: count }, (_, index) =>
    archiveMessage(
      { id: `bench-${producer.instance}-${index + 1}`, topic: mix[mixIndex(index + 1, mix.length)] as string, time: Date.now(), producer, seq: index + 1, headers: {}, body: { t: index, pad: pads[index % pads.length] ?? '' } },
      { prefix: 'org.statbus' },
    ),
  );
  const store = new SqliteMessageStore(join(dir, 'insert-many.db'));
  await store.init();
  try {
    const thread = mainThreadCpuMs();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let from = 0; from < count; from += BATCH) await store.insertMany(messages.slice(from, from + BATCH));
    const wallMs = performance.now() - started;
    const threadMs = thread === undefined ? undefined : (mainThreadCpuMs() ?? thread) - thread;
    await store.catchUpIndexes();
    const all = process.cpuUsage(cpu);
    return {
      messages: count,
      batch: BATCH,
      perSecond: (count / wallMs) * 1000,
      ...(threadMs === undefined ? {} : { callingThreadCpuUsPerMessage: (threadMs * 1000) / count }),
      processCpuUsPerMessage: (all.user + all.system) / count,
    };
  } finally {
    await store.close();
  }
}
