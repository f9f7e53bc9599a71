// Preloaded into the soak's archiver and query API (`node --expose-gc --import heap-probe.js statbus.js …`):
// every SOAK_HEAP_PROBE_MS it runs a full garbage collection and appends one JSON line to SOAK_HEAP_PROBE
// with what the process holds right after it. A heap read between collections swings with the garbage not yet
// collected; the live heap after a full collection is what a leak makes grow.
import { appendFileSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';
import { getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env['SOAK_HEAP_PROBE'];
const every = Number(process.env['SOAK_HEAP_PROBE_MS'] ?? 15_000);

/** A `/proc/self/<file>` field in MiB (`kB` lines), NaN where the kernel does not give it. */
function procMiB(name, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'mu').exec(readFileSync(`/proc/self/${name}`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

const MiB = 2 ** 20;
// A preload runs in every thread of the process (the store's index worker too): only the main thread samples, so
// that each line is the main heap's; a worker's heap counts among the memory outside it.
if (file !== undefined && typeof globalThis.gc === 'function' && isMainThread) {
  const collect = globalThis.gc;
  const sample = () => {
    const began = performance.now();
    collect();
    const gcMs = performance.now() - began;
    const memory = process.memoryUsage();
    const heap = getHeapStatistics();
    appendFileSync(
      file,
      `${JSON.stringify({
        at: Date.now(),
        gcMs: Math.round(gcMs),
        heapUsed: memory.heapUsed / MiB,
        heapTotal: memory.heapTotal / MiB,
        external: memory.external / MiB,
        arrayBuffers: memory.arrayBuffers / MiB,
        mallocedMemory: heap.malloced_memory / MiB,
        rss: memory.rss / MiB,
        rssAnon: procMiB('status', 'RssAnon'),
        anonymous: procMiB('smaps_rollup', 'Anonymous'),
      })}\n`,
    );
  };
  setInterval(sample, every).unref();
}
