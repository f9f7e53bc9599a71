import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { configSchema } from './config-schema.js';
import { loadConfig } from './load-config.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('[sink.sqlite] config', () => {
  it('should be empty by default: the store keeps its own defaults', () => {
    expect(configSchema.parse({}).sink.sqlite).toEqual({});
  });

  it('should read the options and tuning a TOML file gives', () => {
    const path = join(dir, 'statbus.toml');
    writeFileSync(path, '[sink.sqlite]\nsynchronous = "NORMAL"\ncache_mb = 64\nwalk_max_rows = 8000\ndrive_by_time_share = 0.05\n');
    expect(loadConfig({ file: path }).config.sink.sqlite).toEqual({ synchronous: 'NORMAL', cache_mb: 64, walk_max_rows: 8000, drive_by_time_share: 0.05 });
  });

  it('should take a value from the environment as a number', () => {
    expect(loadConfig({ cwd: dir, env: { STATBUS_SINK__SQLITE__CONTAINS_SCAN_ROWS: '0' } }).config.sink.sqlite).toEqual({ contains_scan_rows: 0 });
  });

  it('should refuse an unknown key naming the key it most likely meant', () => {
    const path = join(dir, 'statbus.toml');
    writeFileSync(path, '[sink.sqlite]\nwalk_max_row = 10\n');
    let issues: ConfigError['issues'] = [];
    try {
      loadConfig({ file: path });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues = error.issues;
    }
    expect(issues).toEqual([{ path: 'sink.sqlite.walk_max_row', message: 'unknown key; did you mean "walk_max_rows"?', source: path, line: 2, column: 1 }]);
  });

  it.each([
    ['a negative size', { cache_mb: -1 }],
    ['a share above 1', { drive_by_time_share: 2 }],
    ['an unknown sync mode', { synchronous: 'OFF' }],
    ['a fraction of rows', { walk_max_rows: 1.5 }],
  ])('should refuse %s', (_name, sqlite) => {
    expect(configSchema.safeParse({ sink: { sqlite } }).success).toBe(false);
  });
});
