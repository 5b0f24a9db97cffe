import type Database from 'better-sqlite3';

export interface GroupCommit {
  /** Runs `work` atomically (a savepoint of the current group); a failure rolls back `work` alone. */
  transaction<T>(work: () => T): T;
  /**
   * The outcome of the current turn's group, which this turn's writes join: settles once they are committed to
   * disk, rejects with the error if they were not (nothing of the group is then stored).
   */
  settled(): Promise<void>;
  /** Commits the current group now (at shutdown). */
  flush(): void;
}

interface Group {
  state: 'idle' | 'begun' | 'settled';
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Writes (outermost `transaction` calls) that succeeded in this group. */
  writes: number;
}

export interface GroupCommitOptions {
  /** Told how many writes each group committed, once its COMMIT succeeded (metrics); what it throws is ignored. */
  onCommit?: (writes: number) => void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A group nobody waits on (its writes all failed) must not crash the process when it rejects.
  done.catch(() => {});
  return { state: 'idle', done, resolve, reject, writes: 0 };
}

/**
 * Group commit: the writes handled in one turn of the event loop share one transaction and one fsync'd COMMIT
 * (synchronous=FULL), instead of one fsync each. The turn's group begins with its first write and is committed
 * once the turn's requests have been handled (setImmediate). Each write is a savepoint, so a failing write rolls
 * back only itself — unless SQLite rolls back the whole transaction (disk full, I/O error), which fails the
 * whole group. Nothing may be acknowledged before `settled()` resolves.
 */
export function createGroupCommit(sqlite: Database.Database, options: GroupCommitOptions = {}): GroupCommit {
  let current: Group | undefined;
  let depth = 0; // nested transaction calls are savepoints of the same write
  // Inside the group's BEGIN, better-sqlite3 runs this as a SAVEPOINT (and nested calls as nested savepoints).
  const savepoint = sqlite.transaction((work: () => unknown) => work());

  function settle(group: Group): void {
    if (current === group) current = undefined;
    if (group.state === 'settled') return;
    const begun = group.state === 'begun';
    group.state = 'settled';
    if (!begun) return group.resolve();
    try {
      sqlite.exec('COMMIT');
      group.resolve();
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      group.reject(error);
      return;
    }
    try {
      options.onCommit?.(group.writes);
    } catch {
      // An observer never changes what was committed.
    }
  }

  function join(): Group {
    if (!current) {
      const group = newGroup();
      current = group;
      setImmediate(() => settle(group));
    }
    return current;
  }

  return {
    transaction<T>(work: () => T): T {
      const group = join();
      if (group.state === 'idle') {
        sqlite.exec('BEGIN IMMEDIATE'); // SQLITE_BUSY here leaves the group idle for the next write to retry
        group.state = 'begun';
      }
      depth++;
      try {
        const result = savepoint(work) as T;
        if (depth === 1) group.writes++;
        return result;
      } catch (error) {
        if (!sqlite.inTransaction) {
          // SQLite rolled back the whole transaction: the group's earlier writes are gone too.
          current = undefined;
          group.state = 'settled';
          group.reject(error);
        }
        throw error;
      } finally {
        depth--;
      }
    },
    settled: () => join().done,
    flush: () => current && settle(current),
  };
}
