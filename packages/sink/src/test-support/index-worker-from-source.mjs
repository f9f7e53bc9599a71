// Starts the SQLite store's index worker from its TypeScript source (tests, scripts run through tsx), where no built
// module exists: tsx, a development dependency of the workspace, loads it. Not shipped: a built store starts its built
// worker module directly (see sqlite-index-worker.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
