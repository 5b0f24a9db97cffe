import type Database from 'better-sqlite3';

export interface GroupCommit {
  /** Runs `work` atomically (a savepoint of the open group); a failure rolls back `work` alone. */
  transaction<T>(work: () => T): T;
  /** Settles once everything written so far is committed to disk; rejects if that commit failed. */
  durable(): Promise<void>;
  /** Commits the open group now (at shutdown). */
  flush(): void;
}

/**
 * Group commit: the writes handled in one turn of the event loop share one transaction and one fsync'd COMMIT
 * (synchronous=FULL), instead of one fsync each. The first write of a turn opens the group; it is committed
 * once the turn's requests have been handled (setImmediate). Each write is a savepoint, so one failing write
 * rolls back only itself. Nothing is acknowledged before the commit: responses wait for `durable()`.
 */
export function createGroupCommit(sqlite: Database.Database): GroupCommit {
  let group: { done: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;
  // Inside the group's BEGIN, better-sqlite3 runs this as a SAVEPOINT (and nested calls as nested savepoints).
  const savepoint = sqlite.transaction((work: () => unknown) => work());

  function commit(): void {
    const current = group;
    if (!current) return;
    group = undefined;
    try {
      sqlite.exec('COMMIT');
      current.resolve();
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      current.reject(error);
    }
  }

  function open(): void {
    sqlite.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group whose writes all failed has nobody waiting on it; its rejection must not crash the process.
    done.catch(() => {});
    group = { done, resolve, reject };
    setImmediate(commit);
  }

  return {
    transaction<T>(work: () => T): T {
      if (!group) open();
      return savepoint(work) as T;
    },
    durable: () => group?.done ?? Promise.resolve(),
    flush: commit,
  };
}
