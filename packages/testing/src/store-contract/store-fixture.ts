import { archiveMessage, type ArchivedMessage, type Envelope, type JsonObject } from '@statbus/core';

/** The deterministic archive every store backend is checked against. */
export interface StoreFixture {
  readonly messages: readonly ArchivedMessage[];
  readonly categories: readonly string[];
  readonly topics: readonly string[];
  readonly users: readonly string[];
  readonly packages: readonly string[];
  /** Oldest and newest message time (ms). */
  readonly first: number;
  readonly last: number;
}

/** Options of {@link makeStoreFixture}. */
export interface StoreFixtureOptions {
  /** Number of messages; default {@link DEFAULT_FIXTURE_SIZE}. */
  readonly count?: number;
  /** PRNG seed; the same seed gives the same fixture. */
  readonly seed?: number;
}

/** Default fixture size: enough for every filter to select something, small enough for a fast suite. */
export const DEFAULT_FIXTURE_SIZE = 3000;

/** What every fixture topic starts with (Fedora's `<prefix>.<env>`: `org.fedoraproject` in `prod`). */
export const FIXTURE_PREFIX = 'org.fedoraproject.prod';

/** The fixture starts on 2024-01-01 and spans six months. */
export const FIXTURE_START = Date.UTC(2024, 0, 1);
const SPAN = 182 * 24 * 3600 * 1000;

const TOPICS: Readonly<Record<string, readonly string[]>> = {
  bodhi: ['update.comment', 'update.request.testing', 'update.complete.stable', 'buildroot_override.tag'],
  copr: ['build.start', 'build.end', 'chroot.start'],
  koji: ['build.state.change', 'task.state.change', 'tag', 'package.list.change'],
  pagure: ['pull-request.new', 'pull-request.comment.added', 'issue.new', 'git.receive'],
  fas: ['user.create', 'group.member.sponsor', 'user.update'],
  badges: ['badge.award'],
  wiki: ['article.edit'],
};
const USERS = [
  'adamw', 'kevin', 'nirik', 'ralph', 'sgallagh', 'pbrobinson', 'mattdm', 'jforbes', 'churchyard', 'decathorpe',
  'zbyszek', 'tibbs', 'limb', 'salimma', 'music', 'ngompa', 'codeblock', 'abompard', 'pingou', 'bowlofeggs',
  'mohan', 'jlanda', 'dustymabe', 'kalev', 'rhughes', 'otaylor', 'tdawson', 'yselkowitz', 'besser82', 'spot',
];
const PACKAGES = [
  'kernel', 'firefox', 'python-requests', 'nodejs', 'glibc', 'gcc', 'systemd', 'gnome-shell', 'rpm', 'dnf',
  'bash', 'vim', 'emacs', 'rust', 'golang', 'python3', 'perl', 'openssl', 'curl', 'podman', 'mesa', 'llvm',
  'qt6-qtbase', 'libreoffice', 'thunderbird', 'cockpit', 'anaconda', 'fedora-release', 'ostree', 'flatpak',
];
const WORDS = [
  'works for me', 'LGTM', 'Karma +1', 'broken dependency', 'FTBFS on rawhide', 'please push to stable',
  'regression in 6.8', 'Straße naïve café', 'fixes CVE-2024-1234', 'needs rebase', '50% faster_build', 'ok',
  'Tested "quoted" text', 'i18n: 日本語 のテスト', 'retrigger CI', 'ÉTÉ upgrade',
];

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A deterministic archive of realistic Fedora-like messages: seven categories, their topics, users,
 * packages and agents (some absent), bodies with mixed case and non-ASCII text, times over six months with
 * some messages sharing the same millisecond (so order must break ties by id), ids in random order.
 */
export function makeStoreFixture(options: StoreFixtureOptions = {}): StoreFixture {
  const random = mulberry32(options.seed ?? 20240101);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const some = <T>(items: readonly T[], max: number): T[] => {
    const chosen = new Set<T>();
    const count = Math.floor(random() * (max + 1));
    while (chosen.size < count) chosen.add(pick(items));
    return [...chosen];
  };
  const hex = (length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const count = options.count ?? DEFAULT_FIXTURE_SIZE;
  const categories = Object.keys(TOPICS);
  const seqs = new Map<string, number>();
  const messages: ArchivedMessage[] = [];
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const category = pick(categories);
    const topic = `${FIXTURE_PREFIX}.${category}.${pick(TOPICS[category] ?? [])}`;
    const time = times.length > 0 && random() < 0.05 ? pick(times) : FIXTURE_START + Math.floor(random() * SPAN);
    times.push(time);
    const users = some(USERS, 3);
    const packages = category === 'fas' || category === 'badges' ? [] : some(PACKAGES, 3);
    const agent = random() < 0.8 ? (users[0] ?? pick(USERS)) : undefined;
    const instance = `${category}-${index % 3}`;
    const seq = (seqs.get(instance) ?? 0) + 1;
    seqs.set(instance, seq);
    const headers: Record<string, string> = { severity: pick(['info', 'info', 'debug', 'warning']) };
    if (users.length > 0 || random() < 0.5) headers['usernames'] = users.join(',');
    if (packages.length > 0) headers['packages'] = packages.join(', ');
    if (agent !== undefined) headers['agent'] = agent;
    const body: JsonObject = {
      [category === 'koji' ? 'build' : 'item']: { id: Math.floor(random() * 1e6), name: packages[0] ?? null, owner: users[0] ?? null },
      comment: `${pick(WORDS)} — ${pick(WORDS)}`,
      release: pick(['F39', 'F40', 'F41', 'EPEL-9', 'rawhide']),
      ...(random() < 0.3 ? { tags: some(['stable', 'testing', 'pending', 'obsolete'], 2), karma: Math.floor(random() * 7) - 3 } : {}),
    };
    const envelope: Envelope = {
      id: `${new Date(time).getUTCFullYear()}-${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
      topic,
      time,
      producer: { name: category, host: `${category}01.iad2.fedoraproject.org`, pid: 1000 + (index % 3), instance },
      seq,
      headers,
      body,
      ...(random() < 0.1 ? { signature: Buffer.from(hex(32), 'hex').toString('base64') } : {}),
    };
    messages.push(archiveMessage(envelope));
  }
  return {
    messages,
    categories,
    topics: [...new Set(messages.map((message) => message.envelope.topic))].sort(),
    users: USERS,
    packages: PACKAGES,
    first: Math.min(...times),
    last: Math.max(...times),
  };
}
