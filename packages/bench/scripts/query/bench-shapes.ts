import { DEFAULT_ROWS_PER_PAGE, type MessageStore } from '@statbus/core';
import { FIXTURE_PREFIX } from '@statbus/testing';
import { parseParams, searchAnswer, toV2Message, type RawParams } from '@statbus/query';
import type { SeededArchive } from './bench-seed.js';

/** One query shape of the benchmark: its URL, and the same work done in-process without HTTP. */
export interface BenchShape {
  readonly name: string;
  readonly path: string;
  /** Only the store call the route makes. */
  store(store: MessageStore): Promise<unknown>;
  /** The store call plus what the route does with it (v1/v2 shaping, `arguments`, JSON), without HTTP. */
  answer(store: MessageStore): Promise<string>;
}

function rawParams(path: string): RawParams {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URL(path, 'http://bench').searchParams) {
    const previous = params[name];
    params[name] = previous === undefined ? value : [...(typeof previous === 'string' ? [previous] : previous), value];
  }
  return params;
}

function search(name: string, path: string): BenchShape {
  const parsed = parseParams(rawParams(path), ['time', 'filters', 'paging'], 100);
  const query = { ...parsed.query, rowsPerPage: parsed.query.rowsPerPage ?? DEFAULT_ROWS_PER_PAGE };
  const shape = path.startsWith('/v2/') ? 'v2' : 'v1';
  return {
    name,
    path,
    store: (store) => store.find(query),
    answer: (store) => searchAnswer(store, parsed, query, shape),
  };
}

function other(name: string, path: string, call: (store: MessageStore) => Promise<unknown>): BenchShape {
  return { name, path, store: call, answer: async (store) => JSON.stringify(await call(store)) };
}

/**
 * The shapes of the store benchmark (page 1, time window, topic, topic pattern, category, user, package,
 * contains, a `not_` filter, deep cursor and offset pages) as `/raw` requests, plus `/v2/search`, `/v2/id`,
 * `/count` and `/topics`.
 */
export function benchShapes(seeded: SeededArchive): BenchShape[] {
  const end = (seeded.lastTime + 1) / 1000;
  return [
    search('/raw (no filter, page 1)', '/raw'),
    search('/raw 1-day window (end + delta)', `/raw?end=${end}&delta=86400`),
    search('/raw?topic=…', `/raw?topic=${seeded.topic}`),
    search('/raw?topic=… (rare: 1 message in 4,000)', `/raw?topic=${seeded.rareTopic}`),
    search('/raw?topic=…koji.# (pattern)', `/raw?topic=${FIXTURE_PREFIX}.koji.%23`),
    search('/raw?category=bodhi', '/raw?category=bodhi'),
    search('/raw?user=…', `/raw?user=${seeded.user}`),
    search('/raw?package=…', `/raw?package=${seeded.pkg}`),
    search('/raw?contains=… + 1-day window', `/raw?contains=karma&end=${end}&delta=86400`),
    // Case-sensitive (datagrepper's meaning): the fixture writes `CVE-2024-1234`.
    search('/raw?contains=… (whole archive)', '/raw?contains=CVE-2024'),
    search('/raw?not_category=koji', '/raw?not_category=koji'),
    search('/raw deep cursor (row 40,000)', `/raw?rows_per_page=100&cursor=${seeded.deepCursor}`),
    search('/raw deep offset (page 400 × 100)', '/raw?rows_per_page=100&page=400'),
    search('/raw deep offset in a category (middle page × 25)', `/raw?category=${seeded.deepCategory}&page=${seeded.deepCategoryPage}`),
    search('/v2/search?category=koji&user=…', `/v2/search?category=koji&user=${seeded.user}`),
    other('/v2/id', `/v2/id?id=${seeded.someId}`, async (store) => toV2Message((await store.get(seeded.someId)) as never)),
    other('/count (unfiltered)', '/count', (store) => store.count({}, { estimate: true })),
    other('/count?category=koji', '/count?category=koji', (store) => store.count({ categories: ['koji'] })),
    other('/topics', '/topics', (store) => store.topics()),
  ];
}
