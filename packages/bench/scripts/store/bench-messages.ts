import { newMessageId, type ArchivedMessage } from '@statbus/core';

/** Categories of the generated messages (10). */
export const BENCH_CATEGORIES = ['bodhi', 'copr', 'koji', 'pagure', 'fas', 'badges', 'wiki', 'ansible', 'mdapi', 'fedocal'] as const;
/** Topic events; with the categories, 80 topics. */
export const BENCH_EVENTS = ['update.comment', 'build.start', 'build.end', 'tag', 'pull-request.new', 'issue.new', 'user.update', 'badge.award'] as const;
/** The words of the comments (each in ~16 % of the messages). */
export const BENCH_WORDS = ['rawhide', 'stable', 'testing', 'regression', 'karma', 'rebuild', 'dependency', 'security', 'firefox', 'kernel', 'mesa', 'python'] as const;
export const BENCH_USERS: readonly string[] = Array.from({ length: 2000 }, (_, i) => `user${i}`);
export const BENCH_PACKAGES: readonly string[] = Array.from({ length: 5000 }, (_, i) => `package-${i}`);
export const BENCH_START = Date.UTC(2023, 0, 1);
/** A year of messages, whatever their number. */
export const BENCH_SPAN = 365 * 86_400_000;

/**
 * How message ids are made: `ordered` (`2023-<index>-<random>`, growing with time, the id index grows at its
 * end), `statbus` (what statbus producers make, `newMessageId`: `<year>-<uuid7>`, which starts with the
 * message's time) or `random` (fedmsg's `<year>-<uuid4>`, what imported Fedora archives carry: each insert
 * lands anywhere in the id index).
 */
export type BenchIds = 'ordered' | 'statbus' | 'random';

/**
 * A seeded generator of Fedora-like messages in time order (a few seconds of jitter), `total` of them spread
 * over {@link BENCH_SPAN}. Reproducible: the same seed gives the same messages and the same query draws.
 */
export class BenchMessages {
  private seed: number;

  constructor(
    private readonly total: number,
    private readonly ids: BenchIds = 'ordered',
    seed = 42,
  ) {
    this.seed = seed;
  }

  random(): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this.seed / 2_147_483_648;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  /** Runs `work` and puts the generator back where it was: the same messages can be generated twice. */
  replay<T>(work: () => T): T {
    const saved = this.seed;
    try {
      return work();
    } finally {
      this.seed = saved;
    }
  }

  message(index: number): ArchivedMessage {
    const category = this.pick(BENCH_CATEGORIES);
    const users = [this.pick(BENCH_USERS), ...(this.random() < 0.3 ? [this.pick(BENCH_USERS)] : [])];
    const packages = this.random() < 0.7 ? [this.pick(BENCH_PACKAGES)] : [];
    const time = BENCH_START + Math.floor((index / this.total) * BENCH_SPAN + this.random() * 5000);
    const tail = Math.floor(this.random() * 1e9).toString(16);
    return {
      envelope: {
        id: this.ids === 'ordered' ? `2023-${index.toString(16).padStart(8, '0')}-${tail}` : this.ids === 'statbus' ? newMessageId(time) : `2023-${this.uuid(index)}`,
        topic: `org.fedoraproject.prod.${category}.${this.pick(BENCH_EVENTS)}`,
        time,
        producer: { name: category, host: `${category}01.example.org`, pid: 100, instance: category },
        seq: index + 1,
        headers: { usernames: users.join(','), packages: packages.join(','), agent: users[0] ?? '' },
        body: {
          comment: `${this.pick(BENCH_WORDS)} ${this.pick(BENCH_WORDS)} on ${packages[0] ?? 'none'} by ${users[0] ?? ''}`,
          release: this.pick(['F38', 'F39', 'F40', 'rawhide']),
          item: { id: Math.floor(this.random() * 1e6), owner: users[0] ?? null },
        },
      },
      category,
      users,
      packages,
      agent: users[0] ?? '',
    };
  }

  /** Messages `from` up to (excluding) `to`. */
  messages(from: number, to: number): ArchivedMessage[] {
    return Array.from({ length: to - from }, (_, i) => this.message(from + i));
  }

  /** A v4-shaped uuid from the index alone (murmur3's finaliser): the generator's LCG is too regular for 122 bits. */
  private uuid(index: number): string {
    const hex = (word: number): string => mix(index * 4 + word + this.total).toString(16).padStart(8, '0');
    const [a, b, c, d] = [hex(0), hex(1), hex(2), hex(3)];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  }
}

function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
