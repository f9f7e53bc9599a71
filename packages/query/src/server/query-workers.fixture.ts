// A query worker for query-workers.int.test.ts: serves the SQLite file named by STATBUS_TEST_STORE.
import { QUERY_DEFAULTS } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { createQueryServer } from './create-query-server.js';
import { reportListening, stopRequested } from './query-workers.js';

const store = new SqliteMessageStore(process.env['STATBUS_TEST_STORE'] ?? '', { indexInBackground: false });
await store.init();
const app = createQueryServer({ store, config: { ...QUERY_DEFAULTS, cors_origins: [] } });
reportListening(await app.listen({ host: '127.0.0.1', port: 0 }));
await stopRequested();
await app.close();
await store.close();
process.exit(0);
