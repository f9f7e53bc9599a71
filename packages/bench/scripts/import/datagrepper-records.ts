import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Topics of the generated records: Fedora's, with the categories the meta rules know. */
const TOPICS = [
  'org.fedoraproject.prod.bodhi.update.comment',
  'org.fedoraproject.prod.bodhi.update.request.testing',
  'org.fedoraproject.prod.buildsys.build.state.change',
  'org.fedoraproject.prod.buildsys.tag',
  'org.fedoraproject.prod.git.receive',
  'org.fedoraproject.prod.pagure.pull-request.new',
  'org.fedoraproject.prod.copr.build.end',
  'org.fedoraproject.prod.fas.user.update',
  'org.fedoraproject.prod.wiki.article.edit',
  'org.fedoraproject.prod.fedbadges.badge.award',
] as const;

/** A seeded generator (an LCG with murmur3's finaliser for the id bits): the same seed, the same file. */
class Seeded {
  constructor(private seed: number) {}

  next(): number {
    this.seed = (Math.imul(this.seed, 1_103_515_245) + 12_345) >>> 0;
    let h = this.seed;
    h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  below(n: number): number {
    return this.next() % n;
  }

  hex8(): string {
    return this.next().toString(16).padStart(8, '0');
  }

  /** fedmsg's `<year>-<uuid4>`: random, so each insert lands anywhere in the id index. */
  uuid4(year: number): string {
    const [a, b, c, d] = [this.hex8(), this.hex8(), this.hex8(), this.hex8()];
    return `${year}-${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[this.below(4)]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

/** A vocabulary of 4,000 made-up words of 3–10 letters. */
function vocabulary(random: Seeded): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: 4000 }, () => Array.from({ length: 3 + random.below(8) }, () => letters[random.below(26)]).join(''));
}

/**
 * Writes `count` datagrepper `/raw` (v1) records as NDJSON to `file`: random uuid4 ids, times over a year in
 * order, Fedora topics, and a body whose text is 300–2,000 bytes of words (users and packages are left to the
 * meta extractors, as in an export made without `meta=`). Returns the file's size in bytes.
 */
export async function writeDatagrepperRecords(file: string, count: number, seed = 42): Promise<number> {
  const random = new Seeded(seed);
  const words = vocabulary(random);
  const out = createWriteStream(file);
  const start = Date.UTC(2023, 0, 1) / 1000;
  const step = (365 * 86_400) / count;
  let bytes = 0;
  let chunk: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const target = 300 + random.below(1700);
    const text: string[] = [];
    let length = 0;
    while (length < target) {
      const word = words[random.below(words.length)] as string;
      text.push(word);
      length += word.length + 1;
    }
    const user = `user${random.below(5000)}`;
    const pkg = `package-${random.below(20_000)}`;
    const record = {
      msg_id: random.uuid4(2023),
      i: 1 + random.below(100),
      topic: TOPICS[random.below(TOPICS.length)],
      timestamp: Math.round((start + i * step) * 1000) / 1000,
      msg: {
        agent: user,
        comment: { text: text.join(' '), user: { name: user } },
        update: { title: `${pkg}-1.${random.below(20)}-1.fc39`, builds: [{ nvr: `${pkg}-1.0-1.fc39` }], user: { name: user } },
      },
      username: 'apache',
      crypto: 'x509',
      source_name: 'datanommer',
      source_version: '1.0.0',
    };
    const line = `${JSON.stringify(record)}\n`;
    bytes += Buffer.byteLength(line);
    chunk.push(line);
    if (chunk.length === 2000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.join(''));
  await once(out, 'finish');
  return bytes;
}
