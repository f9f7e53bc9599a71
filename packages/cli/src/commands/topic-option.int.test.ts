import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../testing/in-process-cli.js';

let cwd: string;
let env: Record<string, string>;

async function statbus(args: string[], input?: string): Promise<CliRun> {
  return runCli(args, { env, cwd, ...(input === undefined ? {} : { input }) });
}

const FEDORA = [
  { id: 'f-1', topic: 'org.fedoraproject.prod.bodhi.update.comment', headers: { 'sent-at': '2024-03-01T10:00:00+00:00' }, body: { comment: { text: 'LGTM' } } },
  { id: 'f-2', topic: 'org.fedoraproject.prod.git.receive', headers: { 'sent-at': '2024-03-01T10:01:00+00:00' }, body: { commit: { repo: 'valgrind' } } },
  { id: 'f-3', topic: 'org.fedoraproject.prod.logger.log', headers: { 'sent-at': '2024-03-01T10:02:00+00:00' }, body: { log: 'hi' } },
];

describe('--topic on the archive commands', () => {
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'statbus-topic-option-'));
    // The default prefix (org.statbus.dev) on purpose: the archive holds another organisation's topics.
    env = { STATBUS_STORE: `sqlite:${join(cwd, 'archive.db')}` };
    const imported = await statbus(['db', 'import', '-'], `${FEDORA.map((record) => JSON.stringify(record)).join('\n')}\n`);
    expect(imported.code, imported.stderr).toBe(0);
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('should let latest name a full topic under another prefix', async () => {
    const { code, stdout, stderr } = await statbus(['latest', '--topic', 'org.fedoraproject.prod.bodhi.update.comment']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ envelope: { id: 'f-1' }, category: 'bodhi' });
  });

  it('should give the newest message of each category, newest first, when latest has no selector (datanommer latest)', async () => {
    const { code, stdout, stderr } = await statbus(['latest']);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { category: string; envelope: { id: string } });
    expect(lines.map((line) => [line.category, line.envelope.id])).toEqual([
      ['logger', 'f-3'],
      ['git', 'f-2'],
      ['bodhi', 'f-1'],
    ]);
  });

  it('should let dump name a full one-word-event topic under another prefix', async () => {
    const { code, stdout } = await statbus(['dump', '--topic', 'org.fedoraproject.prod.git.receive']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').map((line) => (JSON.parse(line) as { envelope: { id: string } }).envelope.id)).toEqual(['f-2']);
  });

  it('should let stats --topic filter by pattern', async () => {
    const { code, stdout } = await statbus(['stats', '--topic', 'org.fedoraproject.prod.*.log', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ 'org.fedoraproject.prod.logger.log': 1 });
  });

  describe('when nothing matches', () => {
    it('should name the patterns used (latest: exit 1)', async () => {
      const { code, stderr } = await statbus(['latest', '--topic', 'koji.build.end']);
      expect(code).toBe(1);
      expect(stderr).toContain('no message matches topic patterns koji.build.end, org.statbus.dev.koji.build.end');
    });

    it('should name the patterns used (dump: an empty dump, exit 0)', async () => {
      const { code, stdout, stderr } = await statbus(['dump', '--topic', 'koji.#']);
      expect(code).toBe(0);
      expect(stdout).toBe('');
      expect(stderr).toContain('no message matches topic patterns koji.#, org.statbus.dev.koji.#');
    });

    it('should name the patterns used (stats: exit 1)', async () => {
      const { code, stderr } = await statbus(['stats', '--topic', 'koji.#']);
      expect(code).toBe(1);
      expect(stderr).toContain('koji.#, org.statbus.dev.koji.#');
    });
  });
});
