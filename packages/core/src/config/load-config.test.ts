import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { loadConfig } from './load-config.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'statbus-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(text: string): string {
  const path = join(dir, 'statbus.toml');
  writeFileSync(path, text);
  return path;
}

function issuesOf(run: () => unknown): ConfigError['issues'] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig, () => {
  describe('when there is no file', () => {
    it('should give the embedded defaults', () => {
      const { config, file: used } = loadConfig({ cwd: dir });
      expect(used).toBeUndefined();
      expect(config.transport).toBe('zeromq');
      expect(config.store).toBe('sqlite:./statbus.db');
      expect(config.amqp.url).toBe('amqp://guest:guest@127.0.0.1:5672/%2F');
      expect(config.zeromq.send_hwm).toBeGreaterThan(0);
    });
  });

  describe('when ./statbus.toml exists', () => {
    it('should read it', () => {
      file('transport = "amqp"\n[amqp]\nprefetch = 7\n');
      const { config, file: used } = loadConfig({ cwd: dir });
      expect(used).toBe(join(dir, 'statbus.toml'));
      expect(config.transport).toBe('amqp');
      expect(config.amqp.prefetch).toBe(7);
    });
  });

  describe('when a key is unknown', () => {
    it('should name it with its line, and the key of its table it most likely meant', () => {
      const path = file('transport = "zeromq"\n\n[amqp]\nprefetch = 10\nprefech = 5\n');
      expect(issuesOf(() => loadConfig({ file: path }))).toEqual([{ path: 'amqp.prefech', message: 'unknown key; did you mean "prefetch"?', source: path, line: 5, column: 1 }]);
    });

    it('should suggest a top-level key too, and nothing when no key is close', () => {
      const path = file('transprot = "amqp"\nzzzzzz = 1\n');
      expect(issuesOf(() => loadConfig({ file: path })).map((issue) => issue.message)).toEqual(['unknown key; did you mean "transport"?', 'unknown key']);
    });
  });

  describe('when the transport kind is unknown', () => {
    it('should say which kinds exist', () => {
      const path = file('# comment\ntransport = "kafka"\n');
      const [issue] = issuesOf(() => loadConfig({ file: path }));
      expect(issue).toMatchObject({ path: 'transport', line: 2 });
      expect(issue?.message).toMatch(/unknown transport "kafka"; expected one of zeromq, amqp/);
    });
  });

  describe('when the TOML does not parse', () => {
    it('should give the line and column', () => {
      const path = file('transport = "zeromq"\n[amqp\nprefetch = 1\n');
      const [issue] = issuesOf(() => loadConfig({ file: path }));
      expect(issue?.line).toBe(2);
      expect(issue?.message).toMatch(/not valid TOML/);
    });
  });

  describe('when several things are wrong', () => {
    it('should list every problem in one error', () => {
      const path = file('transport = "kafka"\nstore = "postgres://x"\n[amqp]\nprefetch = "ten"\n[zeromq]\nsend_hwm = -1\nbogus = 1\n');
      const issues = issuesOf(() => loadConfig({ file: path }));
      expect(issues.map((issue) => issue.path).sort()).toEqual(['amqp.prefetch', 'store', 'transport', 'zeromq.bogus', 'zeromq.send_hwm']);
      expect(issues.find((issue) => issue.path === 'amqp.prefetch')?.line).toBe(4);
      let message = '';
      try {
        loadConfig({ file: path });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Invalid configuration, 5 problems:/);
    });
  });

  describe('when the named file does not exist', () => {
    it('should say so', () => {
      expect(issuesOf(() => loadConfig({ file: join(dir, 'missing.toml') }))[0]?.message).toBe('config file not found');
    });
  });

  describe('with STATBUS_* environment variables', () => {
    it('should override the file, coercing to the expected types', () => {
      file('transport = "zeromq"\n[amqp]\nprefetch = 10\n');
      const { config } = loadConfig({
        cwd: dir,
        env: { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__PREFETCH: '20', STATBUS_AMQP__PERSISTENT: 'false', STATBUS_ZEROMQ__BIND: 'tcp://127.0.0.1:1,tcp://127.0.0.1:2', PATH: '/bin' },
      });
      expect(config.transport).toBe('amqp');
      expect(config.amqp.prefetch).toBe(20);
      expect(config.amqp.persistent).toBe(false);
      expect(config.zeromq.bind).toEqual(['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2']);
    });

    it('should name the variable of a bad value or unknown key', () => {
      const issues = issuesOf(() => loadConfig({ cwd: dir, env: { STATBUS_AMQP__PREFETCH: 'lots', STATBUS_NOPE: '1' } }));
      expect(issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'amqp.prefetch', source: 'environment STATBUS_AMQP__PREFETCH' }),
          expect.objectContaining({ path: 'nope', message: 'unknown key', source: 'environment STATBUS_NOPE' }),
        ]),
      );
    });

    it('should read the file named by STATBUS_CONFIG', () => {
      const path = join(dir, 'other.toml');
      writeFileSync(path, 'environment = "prod"\n');
      expect(loadConfig({ cwd: dir, env: { STATBUS_CONFIG: path } }).config.environment).toBe('prod');
    });
  });

  describe('with overrides', () => {
    it('should win over environment and file', () => {
      file('transport = "zeromq"\n');
      const { config } = loadConfig({ cwd: dir, env: { STATBUS_TRANSPORT: 'zeromq' }, overrides: { transport: 'amqp' } });
      expect(config.transport).toBe('amqp');
    });

    it('should name overrides as the source of a bad value', () => {
      expect(issuesOf(() => loadConfig({ cwd: dir, overrides: { transport: 'nats' } }))[0]?.source).toBe('overrides');
    });
  });
});
