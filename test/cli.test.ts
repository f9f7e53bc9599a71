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
});
