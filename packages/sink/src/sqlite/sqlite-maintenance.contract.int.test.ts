import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMaintenanceContract } from '@statbus/testing';
import { afterAll } from 'vitest';
import { SqliteMessageStore } from './sqlite-message-store.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-maintenance-contract-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeMaintenanceContract('SqliteMessageStore (real file)', () => Promise.resolve(new SqliteMessageStore(join(dir, `archive-${(files += 1)}.db`))));
describeMaintenanceContract('SqliteMessageStore (real file, side indexes filled)', () => {
  const store = new SqliteMessageStore(join(dir, `archive-${(files += 1)}.db`), { indexInBackground: false });
  // The side indexes are filled after each insert here, so that removals go through them too.
  const insertMany = store.insertMany.bind(store);
  store.insertMany = async (messages) => {
    const result = await insertMany(messages);
    await store.catchUpIndexes();
    return result;
  };
  return Promise.resolve(store);
});
