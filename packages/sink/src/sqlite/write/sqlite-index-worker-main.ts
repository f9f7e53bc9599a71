import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteStatementCache } from '../cache/sqlite-statement-cache.js';
import { IndexWorkerLock } from './index-worker-lock.js';
import type { IndexWorkerData, IndexWorkerReply, IndexWorkerRequest } from './index-worker-protocol.js';
import { SqliteDeferredIndexer } from './sqlite-deferred-indexer.js';

// The index worker (see SqliteIndexWorker): its own connection to the store's file, filling the deferred indexes
// on this thread so that the thread that inserts never does index work.

const data = workerData as IndexWorkerData;
const port = parentPort;
if (port === null) throw new Error('sqlite-index-worker-main runs as a worker thread');
const db = new Database(data.path, { fileMustExist: true });
db.pragma(`busy_timeout = ${data.busyTimeoutMs}`);
// The indexes are derived: a commit of theirs lost to a power cut loses its counter with it, and is done again.
db.pragma('synchronous = NORMAL');
db.pragma(`cache_size = -${data.cacheMb * 1024}`);
db.pragma(`mmap_size = ${data.mmapMb * 1024 * 1024}`);
const indexer = new SqliteDeferredIndexer(db, new SqliteStatementCache(db), true, data.indexing, new IndexWorkerLock(data.lock));
const reply = (message: IndexWorkerReply): void => port.postMessage(message);

port.on('message', (request: IndexWorkerRequest) => {
  switch (request.type) {
    case 'wake':
      indexer.schedule();
      break;
    case 'pause':
      indexer.pause(request.paused);
      break;
    case 'catchUp':
      try {
        reply({ type: 'caughtUp', id: request.id, indexed: indexer.catchUp(request.maxRows) });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        reply({ type: 'failed', id: request.id, message: (error as Error).message, busy: code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' });
      }
      break;
    case 'stop':
      indexer.stop();
      db.close();
      port.close();
      break;
  }
});
reply({ type: 'ready' });
indexer.schedule();
