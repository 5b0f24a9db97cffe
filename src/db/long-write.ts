import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { timeSlices } from '../http/slices.js';
import type { GroupCommit } from './group-commit.js';

export interface LongWriteSteps<C> {
  /** What the long write works with, built once on its own connection (repositories, services). */
  context: C;
  /** Lets other requests in when the current slice has run long enough (`timeSlices`); call it between steps. */
  pause: () => Promise<void>;
  /** Runs `work` in a savepoint that may span pauses: if it throws, what it wrote is rolled back. */
  savepoint: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface LongWrites<C> {
  /** Resolves when no long write holds the database; a write request awaits it before its handler runs. */
  idle(): Promise<void>;
  /**
   * Runs `work` as one transaction on a connection of its own, in slices, so that a large write (a 5,000-row import)
   * does not hold the event loop. Meanwhile reads are served and see the database as last committed (WAL), never
   * the long write's uncommitted rows; other writes wait (`idle`). Resolving commits (fsync'd, synchronous=FULL);
   * throwing rolls everything back.
   */
  run<T>(work: (steps: LongWriteSteps<C>) => Promise<T>): Promise<T>;
  close(): void;
}

/**
 * Flushes to disk, on libuv's thread pool, what the transaction has written to the WAL so far (SQLite spills pages
 * there as its cache fills): the fsync of its COMMIT, on the event loop, then has only the last pages left to write.
 * An extra fsync changes nothing of what is durable when.
 */
async function syncWritten(sqlite: Database.Database): Promise<void> {
  const wal = await fs.promises.open(`${sqlite.name}-wal`, 'r');
  try {
    await wal.datasync();
  } finally {
    await wal.close();
  }
}

/**
 * Long writes beside group commit. SQLite has one writer at a time: while a long write holds the write lock, the
 * server's other writes must not reach SQLite (they would wait for the lock on the event loop), so they queue at
 * `idle()`. `open` makes the connection and its context on first use.
 */
export function createLongWrites<C>(groupCommit: GroupCommit, open: () => { sqlite: Database.Database; context: C }): LongWrites<C> {
  let holder: Promise<void> | undefined;
  let opened: { sqlite: Database.Database; context: C } | undefined;
  let savepoints = 0;

  async function idle(): Promise<void> {
    while (holder) await holder;
  }

  return {
    idle,
    async run<T>(work: (steps: LongWriteSteps<C>) => Promise<T>): Promise<T> {
      // Taken in the same turn as run() is called when nothing holds it (no await before): no write slips in.
      while (holder) await holder;
      let release!: () => void;
      holder = new Promise<void>((resolve) => (release = resolve));
      try {
        // Writes that passed `idle()` before it closed write in this turn's group: it commits before we begin.
        await groupCommit.settled().catch(() => {});
        const { sqlite, context } = (opened ??= open());
        const pause = timeSlices();
        const savepoint = async <S>(inner: () => Promise<S>): Promise<S> => {
          const name = `long_write_${++savepoints}`;
          sqlite.exec(`SAVEPOINT ${name}`);
          try {
            const result = await inner();
            sqlite.exec(`RELEASE ${name}`);
            return result;
          } catch (error) {
            if (sqlite.inTransaction) sqlite.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
            throw error;
          }
        };
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const result = await work({ context, pause, savepoint });
          await syncWritten(sqlite);
          sqlite.exec('COMMIT');
          return result;
        } catch (error) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw error;
        }
      } finally {
        holder = undefined;
        release();
      }
    },
    close: () => opened?.sqlite.close(),
  };
}
