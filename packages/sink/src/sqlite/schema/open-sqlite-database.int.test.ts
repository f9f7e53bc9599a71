import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '@statbus/core';
import { SqliteMessageStore } from '../sqlite-message-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('opening an SQLite archive file', () => {
  describe('when a part of the path is a file', () => {
    it('should reject with a StoreError naming the path and why, not retryable', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'statbus-open-'));
      dirs.push(dir);
      writeFileSync(join(dir, 'plain'), 'not a directory');
      const path = join(dir, 'plain', 'archive.db');
      const store = new SqliteMessageStore(path);
      const failure = await store.init().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(StoreError);
      expect(failure).toMatchObject({ retryable: false });
      expect((failure as Error).message).toContain(path);
      expect((failure as Error).message).toMatch(/a part of that path is a file, not a directory/);
      await store.close();
    });
  });

  describe('when the path is a directory', () => {
    it('should reject with a StoreError naming it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'statbus-open-'));
      dirs.push(dir);
      const store = new SqliteMessageStore(dir);
      await expect(store.init()).rejects.toThrow(new RegExp(`cannot open ${dir}`));
      await store.close();
    });
  });
});
