import type { ArchivedMessage } from '@statbus/core';
import { DELAY_FIELDS, delayField, delayQuantile } from './delay-histogram.js';
import type { MetricsPlugin, StoredValue } from './metrics-plugin.js';

const count = (plugin: Omit<MetricsPlugin, 'fields' | 'rankBy'>): MetricsPlugin => ({ ...plugin, fields: ['count'], rankBy: 'count' });

function keyedVolume(name: string, key: 'category' | 'topic' | 'user' | 'package' | 'agent', description: string, keysOf: (message: ArchivedMessage) => readonly string[]): MetricsPlugin {
  return count({
    name,
    description,
    key,
    readsContent: false,
    observe(message, emit) {
      const values = keysOf(message);
      for (let index = 0; index < values.length; index += 1) emit.add('count', 1, values[index]);
    },
  });
}

/** {@link keyedVolume} for a key every message has exactly one of. */
function singleKeyVolume(name: string, key: 'category' | 'topic', description: string, keyOf: (message: ArchivedMessage) => string): MetricsPlugin {
  return count({
    name,
    description,
    key,
    readsContent: false,
    observe(message, emit) {
      emit.add('count', 1, keyOf(message));
    },
  });
}

function latest(name: string, key: 'category' | 'topic', description: string, keyOf: (message: ArchivedMessage) => string): MetricsPlugin {
  return {
    name,
    description,
    key,
    fields: ['id', 'time'],
    rankBy: 'time',
    readsContent: false,
    observe(message, emit) {
      const { id, time } = message.envelope;
      // One value: the newest time, its id travelling along (ties broken by id, so any order gives the same).
      emit.max('latest', time, id, keyOf(message));
    },
    present(stored: Readonly<Record<string, StoredValue>>) {
      const value = stored['latest'];
      return { id: value?.text ?? null, time: value === undefined ? null : value.value / 1000 };
    },
  };
}

const NO_KEYS: readonly string[] = [];
const uniqueList = (values: readonly string[]): readonly string[] => (values.length < 2 ? values : [...new Set(values)]);

/** The built-in plugins, by name. */
export const BUILT_IN_PLUGINS: readonly MetricsPlugin[] = [
  count({
    name: 'volume',
    description: 'Messages archived, in total.',
    key: null,
    readsContent: false,
    observe(_message, emit) {
      emit.add('count', 1);
    },
  }),
  singleKeyVolume('volume-by-category', 'category', 'Messages archived per category (the word after the environment).', (m) => m.category),
  singleKeyVolume('volume-by-topic', 'topic', 'Messages archived per topic.', (m) => m.envelope.topic),
  keyedVolume('volume-by-user', 'user', 'Messages archived per user they concern (a message counts once for each of its users).', (m) => uniqueList(m.users)),
  keyedVolume('volume-by-package', 'package', 'Messages archived per package they concern (once for each of its packages).', (m) => uniqueList(m.packages)),
  keyedVolume('volume-by-agent', 'agent', 'Messages archived per agent (who caused them), when known.', (m) => (m.agent === undefined ? NO_KEYS : [m.agent])),
  latest('latest-by-topic', 'topic', 'The newest message per topic: its id and time.', (m) => m.envelope.topic),
  latest('latest-by-category', 'category', 'The newest message per category: its id and time.', (m) => m.category),
  {
    name: 'archive-delay',
    description: 'Delay from publishing (the envelope time) to archiving, for messages newly stored: count, p50 and p99 (ms), from a fixed histogram.',
    key: null,
    fields: ['count', 'p50_ms', 'p99_ms'],
    record(event, emit) {
      if (event.type !== 'archived') return;
      const delay = Math.max(0, event.delayMs);
      emit.add('count', 1);
      emit.add('sum_ms', delay);
      emit.add(delayField(delay), 1);
    },
    present(stored) {
      return { count: stored['count']?.value ?? 0, p50_ms: delayQuantile(stored, 0.5), p99_ms: delayQuantile(stored, 0.99) };
    },
  },
  {
    name: 'gaps',
    description: 'Sequence gaps reported per producer (ZeroMQ): gaps seen and messages lost.',
    key: 'producer',
    fields: ['gaps', 'lost'],
    rankBy: 'lost',
    record(event, emit) {
      if (event.type !== 'gap') return;
      emit.add('gaps', 1, event.producer);
      emit.add('lost', event.lost, event.producer);
    },
  },
  count({
    name: 'dead-letters',
    description: 'Messages dead-lettered (nacked without requeue), by reason.',
    key: 'reason',
    record(event, emit) {
      if (event.type === 'dead-letter') emit.add('count', 1, event.reason);
    },
  }),
  count({
    name: 'refusals',
    description: 'Messages refused on receipt (malformed, too large, invalid…), by reason.',
    key: 'reason',
    record(event, emit) {
      if (event.type === 'refused') emit.add('count', 1, event.reason);
    },
  }),
];

/** The stored fields of `archive-delay` (its histogram); exported for the Prometheus exposition. */
export const ARCHIVE_DELAY_STORED_FIELDS: readonly string[] = ['count', 'sum_ms', ...DELAY_FIELDS];
