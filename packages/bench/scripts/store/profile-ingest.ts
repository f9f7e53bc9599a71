import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteMessageStore } from '@statbus/sink';
import { BenchMessages } from './bench-messages.js';

// Usage: profile-ingest.ts [total=300000] [batch=1000] [no-catch-up]
const total = Number(process.argv[2] ?? 300_000);
const batch = Number(process.argv[3] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'statbus-profile-'));
const store = new SqliteMessageStore(join(dir, 'p.db'), { indexInBackground: false });
const generator = new BenchMessages(total);
await store.init();
let ms = 0;
let lap = 0;
for (let done = 0; done < total; done += batch) {
  const messages = generator.messages(done, Math.min(total, done + batch));
  const started = performance.now();
  await store.insertMany(messages);
  const took = performance.now() - started;
  ms += took;
  lap += took;
  if ((done + batch) % 100_000 === 0) {
    console.log(`${done + batch}: ${Math.round((100_000 / lap) * 1000)} msg/s`);
    lap = 0;
  }
}
console.log(`total ${Math.round((total / ms) * 1000)} msg/s`);
const started = performance.now();
if (process.argv[4] !== 'no-catch-up') await store.catchUpIndexes();
const indexMs = performance.now() - started;
console.log(`catch-up ${Math.round((total / indexMs) * 1000)} msg/s; together ${Math.round((total / (ms + indexMs)) * 1000)} msg/s`);
await store.close();
rmSync(dir, { recursive: true, force: true });
