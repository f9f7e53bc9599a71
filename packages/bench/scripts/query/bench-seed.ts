import { existsSync } from 'node:fs';
import { SqliteMessageStore } from '@statbus/sink';
import { FIXTURE_PREFIX, makeStoreFixture } from '@statbus/testing';

const CHUNK = 20_000;
const BATCH = 1000;
/** One message in this many is given {@link RARE_TOPIC}: a topic with few matches, spread over the whole archive. */
const RARE_EVERY = 4000;
/** The rare topic (a bodhi topic the fixture itself never sends). */
export const RARE_TOPIC = `${FIXTURE_PREFIX}.bodhi.update.rare`;
/** The category whose middle page is asked for by offset. */
const DEEP_CATEGORY = 'bodhi';

/** What the benchmark needs to know about a seeded file to build its query shapes. */
export interface SeededArchive {
  readonly size: number;
  /** Seeding speed (messages/s), or undefined when an existing file was reused. */
  readonly messagesPerSecond: number | undefined;
  /** Time (ms) of the newest message. */
  readonly lastTime: number;
  readonly someId: string;
  readonly user: string;
  readonly pkg: string;
  readonly topic: string;
  /** A `next_cursor` 40,000 rows deep (page 401 of 100, newest first). */
  readonly deepCursor: string;
  /** The category whose middle page (of 25 rows) is {@link SeededArchive.deepCategoryPage}. */
  readonly deepCategory: string;
  readonly deepCategoryPage: number;
  /** A topic one message in {@link RARE_EVERY} carries. */
  readonly rareTopic: string;
  /** How long completing the deferred indexes (users, packages, agents, `contains` text) took (ms). */
  readonly indexMs: number;
}

/**
 * Fills `path` with `size` fixture messages (20,000 per fixture seed, batches of 1,000, `synchronous =
 * NORMAL`), or reuses the file when it already holds exactly `size` messages, then completes the store's
 * deferred indexes (users, packages, agents, `contains` text) so that no background indexing runs while the
 * server is measured.
 */
export async function seedArchive(path: string, size: number): Promise<SeededArchive> {
  const existed = existsSync(path);
  const store = new SqliteMessageStore(path, { synchronous: 'NORMAL', indexInBackground: false });
  await store.init();
  try {
    const reused = existed && (await store.count({}, { estimate: true })).count === size;
    let messagesPerSecond: number | undefined;
    if (!reused) {
      const started = performance.now();
      for (let offset = 0, chunk = 0; offset < size; offset += CHUNK, chunk += 1) {
        const messages = makeStoreFixture({ count: Math.min(CHUNK, size - offset), seed: 1000 + chunk }).messages.map((message, i) =>
          (offset + i) % RARE_EVERY === RARE_EVERY - 1 ? { ...message, envelope: { ...message.envelope, topic: RARE_TOPIC } } : message,
        );
        for (let i = 0; i < messages.length; i += BATCH) await store.insertMany(messages.slice(i, i + BATCH));
      }
      messagesPerSecond = size / ((performance.now() - started) / 1000);
    }
    const indexing = performance.now();
    await store.catchUpIndexes();
    const indexMs = performance.now() - indexing;
    const stats = await store.stats();
    const middle = await store.find({ rowsPerPage: 1, page: Math.max(1, Math.floor(size / 2)) });
    const deep = await store.find({ rowsPerPage: 100, page: 400 });
    const fixture = makeStoreFixture({ count: 1 });
    const inCategory = await store.count({ categories: [DEEP_CATEGORY] });
    return {
      size,
      messagesPerSecond,
      lastTime: stats.last ?? 0,
      someId: middle.messages[0]?.envelope.id ?? '',
      user: fixture.users[3] ?? 'ralph',
      pkg: fixture.packages[5] ?? 'systemd',
      topic: `${FIXTURE_PREFIX}.bodhi.update.comment`,
      deepCursor: deep.nextCursor ?? '',
      deepCategory: DEEP_CATEGORY,
      deepCategoryPage: Math.max(1, Math.floor(inCategory.count / 2 / 25)),
      rareTopic: RARE_TOPIC,
      indexMs,
    };
  } finally {
    await store.close();
  }
}
