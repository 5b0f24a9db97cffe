import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop. SQLite copies the WAL back into the database file (and fsyncs it) on the
 * connection whose COMMIT pushes the WAL past `wal_autocheckpoint` pages: on the event loop, 40–90 ms for the WAL of a
 * 5,000-row import. Here a worker thread with a connection of its own runs a PASSIVE checkpoint (it never waits for
 * readers or writers) every `intervalMs`; the server's connections keep a large `wal_autocheckpoint` only as a backstop.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0); // in a worker: ends this thread only
});
`;

/** Pages of WAL after which a server connection checkpoints on its own, should the worker fall behind (~40 MiB). */
export const BACKSTOP_CHECKPOINT_PAGES = 10_000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(databasePath: string, options: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, path: databasePath, intervalMs: options.intervalMs ?? 1000 } });
  worker.on('message', (message: { error?: string }) => message.error && options.onError?.(message.error));
  worker.on('error', (error) => options.onError?.(error.message));
  worker.unref();
  // Resolves also when the worker ended on its own (an error), so stopping never waits for an exit that happened.
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.ref(); // unreferenced, it would not keep the process alive until it has closed its connection
      worker.postMessage('stop');
      await exited;
    },
  };
}
