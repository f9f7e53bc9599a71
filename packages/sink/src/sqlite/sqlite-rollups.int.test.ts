import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteMessageStore } from './sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-sqlite-rollups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether the file holds the rollups' index by key, read by a second connection. */
function hasKeyIndex(path: string): boolean {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'rollups_key'").get() !== undefined;
  } finally {
    db.close();
  }
}

describe('SqliteRollups', () => {
  describe('.rebuilding', () => {
    it('should set the index by key aside during a rebuild and build it again after', async () => {
      const path = join(dir, 'rebuild.db');
      const store = new SqliteMessageStore(path);
      try {
        await store.init();
        expect(hasKeyIndex(path)).toBe(true);
        await store.rebuildingRollups(true);
        expect(hasKeyIndex(path)).toBe(false);
        await store.rebuildingRollups(false);
        expect(hasKeyIndex(path)).toBe(true);
      } finally {
        await store.close();
      }
    });

    describe('when the process ends during a rebuild', () => {
      it('should build the index again when the file is opened', async () => {
        const path = join(dir, 'crash.db');
        const first = new SqliteMessageStore(path);
        await first.init();
        await first.rebuildingRollups(true);
        await first.close();
        expect(hasKeyIndex(path)).toBe(false);
        const second = new SqliteMessageStore(path);
        try {
          await second.init();
          expect(hasKeyIndex(path)).toBe(true);
        } finally {
          await second.close();
        }
      });
    });
  });
});
