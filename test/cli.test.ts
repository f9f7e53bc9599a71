import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin', 'statbus');
const exec = promisify(execFile);

describe('the installed statbus binary', () => {
  let cwd: string;

  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci (it builds) or npm run build`);
    cwd = mkdtempSync(join(tmpdir(), 'statbus-bin-'));
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('should answer --help', async () => {
    const { stdout } = await exec(bin, ['--help'], { cwd });
    expect(stdout).toMatch(/Usage: statbus/);
  });

  it('should print the effective config', async () => {
    const { stdout } = await exec(bin, ['config'], { cwd, env: { ...process.env, STATBUS_ENVIRONMENT: 'stg' } });
    expect(stdout).toMatch(/^environment = "stg"$/m);
  });

  it('should exit non-zero with every problem listed for a bad config', async () => {
    const failure = await exec(bin, ['config', '--transport', 'kafka', '--store', 'postgres://x'], { cwd }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/2 problems/);
  });

  describe('keys generate', () => {
    it('should keep the private key out of git and name --force when the pair exists', async () => {
      await exec('git', ['init', '-q'], { cwd });
      await exec(bin, ['keys', 'generate', 'bodhi', '--dir', 'keys'], { cwd });
      const { stdout: status } = await exec('git', ['status', '--porcelain', '--untracked-files=all'], { cwd });
      expect(status).toMatch(/keys\/bodhi\.pub/);
      expect(status).not.toMatch(/bodhi\.key/);
      const again = await exec(bin, ['keys', 'generate', 'bodhi', '--dir', 'keys'], { cwd }).catch((error: unknown) => error);
      expect(again).toMatchObject({ code: 1 });
      expect((again as { stderr: string }).stderr).toMatch(/already exists; run again with --force/);
      expect((again as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
      await exec(bin, ['keys', 'generate', 'bodhi', '--dir', 'keys', '--force'], { cwd });
    });
  });

  describe('ordinary mistakes', () => {
    const fails = async (args: string[], options: { shell?: boolean } = {}): Promise<{ code: number; stderr: string }> => {
      const failure = (await exec(bin, args, { cwd, ...options }).then(
        () => ({ code: 0, stderr: '' }),
        (error: unknown) => error,
      )) as { code: number; stderr: string };
      return { code: failure.code, stderr: failure.stderr };
    };
    const oneLine = (stderr: string): void => {
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at |unexpected error/);
    };

    it('should name a port in use in one line, exit 1, and add the stack only with --verbose', async () => {
      const { createServer } = await import('node:net');
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as { port: number };
      try {
        const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--store', `sqlite:${join(cwd, 'serve.db')}`];
        const failure = await fails(args);
        expect(failure.code).toBe(1);
        expect(failure.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
        oneLine(failure.stderr.split('\n').filter((line) => line.startsWith('statbus:')).join('\n'));
        expect(failure.stderr).not.toMatch(/\n\s+at /);
        expect((await fails([...args, '--verbose'])).stderr).toMatch(/\n\s+at /);
      } finally {
        taken.close();
      }
    });

    it('should name a missing input file in one line and exit 1', async () => {
      const store = `sqlite:${join(cwd, 'import.db')}`;
      for (const args of [['db', 'import', '/nonexistent.json', '--store', store], ['publish', '--topic', 'bodhi.update.comment', '/nonexistent.txt']]) {
        const failure = await fails(args);
        expect(failure.code, args.join(' ')).toBe(1);
        expect(failure.stderr, args.join(' ')).toMatch(/\/nonexistent\.(json|txt): no such file or directory/);
        oneLine(failure.stderr);
      }
    });

    it('should exit 2, a usage error, for a flag value out of range, not a time or not a topic pattern', async () => {
      for (const args of [
        ['serve', '--port', '99999'],
        ['dump', '--since', 'banana', '--store', `sqlite:${join(cwd, 'dump.db')}`],
        ['dump', '--topic', 'a..b', '--store', `sqlite:${join(cwd, 'dump.db')}`],
      ]) {
        const failure = await fails(args);
        expect(failure.code, args.join(' ')).toBe(2);
        oneLine(failure.stderr);
      }
    });

    it('should say when db init creates the directories of an SQLite file, and not when they exist', async () => {
      const missing = join(cwd, 'not', 'yet');
      const first = await exec(bin, ['db', 'init', '--store', `sqlite:${join(missing, 'archive.db')}`], { cwd });
      expect(first.stdout).toBe(`store ready: sqlite:${join(missing, 'archive.db')} (0 messages; created the directory ${missing})\n`);
      const again = await exec(bin, ['db', 'init', '--store', `sqlite:${join(missing, 'archive.db')}`], { cwd });
      expect(again.stdout).toBe(`store ready: sqlite:${join(missing, 'archive.db')} (0 messages)\n`);
    });

    it('should end quietly when the reader of its output goes away (dump | head -1)', async () => {
      const store = join(cwd, 'pipe.db');
      const records = Array.from({ length: 3000 }, (_, index) => JSON.stringify({ topic: 'org.statbus.dev.bodhi.update.comment', msg: { index, pad: 'x'.repeat(200) }, msg_id: `2026-pipe-${index}`, timestamp: 1_700_000_000 + index }));
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(cwd, 'pipe.ndjson'), `${records.join('\n')}\n`);
      await exec(bin, ['db', 'import', join(cwd, 'pipe.ndjson'), '--store', `sqlite:${store}`], { cwd });
      const { stdout, stderr } = await exec('bash', ['-o', 'pipefail', '-c', `"${bin}" dump --store "sqlite:${store}" | head -1`], { cwd });
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(stderr).toBe('');
    });
  });
});
