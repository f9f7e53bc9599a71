import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from './program.js';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'statbus-cli-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function statbus(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const code = await run(args, { stdout, stderr, env, cwd });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe(run, () => {
  describe('--help', () => {
    it('should list the commands and exit 0', async () => {
      const { code, stdout } = await statbus(['--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/Usage: statbus/);
      expect(stdout).toMatch(/config/);
    });
  });

  describe('--version', () => {
    it('should print the version', async () => {
      const { code, stdout } = await statbus(['--version']);
      expect(code).toBe(0);
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    });
  });

  describe('config', () => {
    it('should print the defaults as TOML', async () => {
      const { code, stdout } = await statbus(['config']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^transport = "zeromq"$/m);
      expect(stdout).toMatch(/no config file: defaults/);
    });

    it('should apply file, environment and flags, and mask passwords', async () => {
      writeFileSync(join(cwd, 'statbus.toml'), '[amqp]\nurl = "amqp://bus:s3cret@rabbit:5672/%2F"\nprefetch = 5\n');
      const { code, stdout } = await statbus(['config', '--json', '--transport', 'amqp'], { STATBUS_AMQP__PREFETCH: '9' });
      expect(code).toBe(0);
      const config = JSON.parse(stdout) as { transport: string; amqp: { url: string; prefetch: number } };
      expect(config.transport).toBe('amqp');
      expect(config.amqp.prefetch).toBe(9);
      expect(config.amqp.url).toBe('amqp://bus:***@rabbit:5672/%2F');
      expect(stdout).not.toMatch(/s3cret/);
    });

    describe('when the file is bad', () => {
      it('should exit 1 listing every problem with its line', async () => {
        writeFileSync(join(cwd, 'bad.toml'), 'transport = "kafka"\n[amqp]\nprefetch = "x"\n');
        const { code, stderr, stdout } = await statbus(['config', '--config', 'bad.toml']);
        expect(code).toBe(1);
        expect(stdout).toBe('');
        expect(stderr).toMatch(/2 problems/);
        expect(stderr).toMatch(/transport \(.*bad\.toml, line 1\): unknown transport "kafka"/);
        expect(stderr).toMatch(/amqp\.prefetch \(.*bad\.toml, line 3\)/);
      });
    });

    describe('when --transport names an unknown kind', () => {
      it('should exit 1 naming it', async () => {
        const { code, stderr } = await statbus(['config', '--transport', 'kafka']);
        expect(code).toBe(1);
        expect(stderr).toMatch(/unknown transport "kafka"/);
      });
    });
  });

  describe('an unknown command', () => {
    it('should exit 2 with the usage', async () => {
      const { code, stderr } = await statbus(['frobnicate']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/unknown command 'frobnicate'/);
    });
  });
});
