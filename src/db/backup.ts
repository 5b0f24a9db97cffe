/**
 * Backup and restore of the server's SQLite file. A backup is taken online (the server keeps writing) with
 * SQLite's backup API; a restore replaces the file while the server is stopped. Either way the new file is
 * written beside its target, checked, flushed to disk and only then renamed into place, so a failure never
 * leaves a half-written or unchecked file at the target.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrationsFolder } from './client.js';

/** Why a backup or restore did not happen; the file at the target is as it was. */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(
    message: string,
    readonly reason: 'missing' | 'exists' | 'unwritable' | 'invalid' | 'in-use',
  ) {
    super(message);
  }
}

/** What a checked backup holds, for the one-line summary the commands print. */
export interface DatabaseFileSummary {
  path: string;
  bytes: number;
  pages: number;
  /** Tag of the last migration applied (from meta/_journal.json); null when this build's migrations do not include it. */
  schema: string | null;
  tasks: number;
  reports: number;
}

/** Tables every plan-tracker database has had since its first two migrations (drizzle's ledger included). */
const REQUIRED_TABLES = ['__drizzle_migrations', 'plans', 'tasks', 'measures', 'units', 'progress_reports'];

/** SQLite's step size for "all remaining pages" as far as better-sqlite3 lets us ask (it clamps negatives to 0). */
const ALL_PAGES = 0x7fffffff;

/** The tag of the migration drizzle recorded as applied at `when` (its journal timestamp), if this build ships it. */
function migrationTag(when: number): string | null {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  return journal.entries.find((entry) => entry.when === when)?.tag ?? null;
}

const isSqliteError = (error: unknown, ...codes: string[]) =>
  error instanceof Database.SqliteError && codes.some((code) => error.code === code || error.code.startsWith(`${code}_`));

/**
 * Makes `file` (a copy this module just wrote) one self-contained file in rollback-journal mode, so no -wal
 * travels beside it, and checks it: SQLite's integrity check passes and it has plan-tracker's tables.
 */
function sealAndCheck(file: string, label: string): Omit<DatabaseFileSummary, 'path'> {
  const sqlite = new Database(file, { fileMustExist: true });
  try {
    sqlite.pragma('journal_mode = DELETE');
    const problems = (sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (problems.join() !== 'ok') throw new RefusedError(`${label} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`, 'invalid');
    const tables = new Set(sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]);
    const missing = REQUIRED_TABLES.filter((table) => !tables.has(table));
    if (missing.length > 0) throw new RefusedError(`${label} is not a plan-tracker database (no ${missing.join(', ')} table)`, 'invalid');
    const lastMigration = sqlite.prepare('SELECT max(created_at) FROM __drizzle_migrations').pluck().get() as number | null;
    if (lastMigration === null) throw new RefusedError(`${label} is not a plan-tracker database (no migration applied)`, 'invalid');
    return {
      bytes: fs.statSync(file).size,
      pages: sqlite.pragma('page_count', { simple: true }) as number,
      schema: migrationTag(Number(lastMigration)),
      tasks: sqlite.prepare('SELECT count(*) FROM tasks').pluck().get() as number,
      reports: sqlite.prepare('SELECT count(*) FROM progress_reports').pluck().get() as number,
    };
  } catch (error) {
    if (isSqliteError(error, 'SQLITE_NOTADB', 'SQLITE_CORRUPT')) throw new RefusedError(`${label} is not a readable SQLite database: ${(error as Error).message}`, 'invalid');
    throw error;
  } finally {
    sqlite.close();
  }
}

/** The file's status (through symlinks), or undefined when there is none to read (missing, or under a non-directory). */
function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

const isDirectory = (file: string) => statOf(file)?.isDirectory() === true;

/** `file` with symlinks, `.` and `..` resolved; when it does not exist (yet), its directory is resolved instead. */
function canonical(file: string): string {
  const absolute = path.resolve(file);
  for (const resolve of [() => fs.realpathSync(absolute), () => path.join(fs.realpathSync(path.dirname(absolute)), path.basename(absolute))]) {
    try {
      return resolve();
    } catch {
      // not there: try the next, coarser resolution
    }
  }
  return absolute;
}

/** The files SQLite keeps for the database at `databasePath`, and what each one is. */
const LIVE_FILES = [
  { suffix: '', is: 'the live database itself' },
  { suffix: '-wal', is: "the live database's -wal file" },
  { suffix: '-shm', is: "the live database's -shm file" },
  { suffix: '-journal', is: "the live database's -journal file" },
];

/**
 * What `file` is among the live database's files, if it is one under any spelling: a relative or absolute path,
 * through symlinks (its own or its directory's, or DATABASE_PATH's), or as a hard link (same device and inode).
 */
function liveFileNamed(file: string, databasePath: string): string | undefined {
  const target = canonical(file);
  const identity = statOf(file);
  // SQLite names the companions after the path it opened; take both that and the file it resolves to.
  const names = new Set([path.resolve(databasePath), canonical(databasePath)]);
  for (const { suffix, is } of LIVE_FILES) {
    for (const name of names) {
      const live = `${name}${suffix}`;
      if (canonical(live) === target) return is;
      const liveIdentity = identity && statOf(live);
      if (liveIdentity && liveIdentity.dev === identity.dev && liveIdentity.ino === identity.ino) return is;
    }
  }
  return undefined;
}

/**
 * Refuses, in one line, a target no file can be renamed onto: a directory, or a path whose directory is missing
 * (created first when `createDirectory`: a fresh volume has none yet), is not a directory, or is read-only to us.
 */
function refuseUnwritableTarget(target: string, { createDirectory = false } = {}): void {
  if (isDirectory(target)) throw new RefusedError(`${target} is a directory: name a file in it`, 'unwritable');
  const directory = path.dirname(path.resolve(target));
  if (!fs.existsSync(directory)) {
    if (!createDirectory) throw new RefusedError(`the directory of ${target} does not exist`, 'missing');
    try {
      fs.mkdirSync(directory, { recursive: true });
    } catch (error) {
      throw new RefusedError(`cannot create the directory of ${target}: ${(error as Error).message}`, 'unwritable');
    }
  }
  if (!isDirectory(directory)) throw new RefusedError(`${directory} is not a directory`, 'unwritable');
  try {
    fs.accessSync(directory, fs.constants.W_OK);
  } catch {
    throw new RefusedError(`cannot write in ${directory}`, 'unwritable');
  }
}

/** A file beside `target`, so the final rename stays on one file system and is atomic. */
const temporaryBeside = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);

/** Flushes a file, or a directory's entries (the rename), to disk. */
function fsync(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes `temporary` to disk, renames it over `target` and flushes the directory, so the rename survives a crash. */
function renameIntoPlace(temporary: string, target: string): void {
  fsync(temporary);
  fs.renameSync(temporary, target);
  fsync(path.dirname(target));
}

/**
 * Copies the database at `databasePath` to `backupPath` while the server may be writing to it. Everything the
 * server had committed when the copy started is in the backup: the pages are copied in one step, under one read
 * transaction, which in WAL mode does not block the server's writers and which their commits cannot restart.
 */
export async function backupDatabase(databasePath: string, backupPath: string, { force = false } = {}): Promise<DatabaseFileSummary> {
  if (!fs.existsSync(databasePath)) throw new RefusedError(`there is no database at ${databasePath} (DATABASE_PATH)`, 'missing');
  const live = liveFileNamed(backupPath, databasePath);
  // Even --force must not replace a file the server is using: replacing its -wal loses what it committed there.
  if (live) throw new RefusedError(`${backupPath} is ${live}; name another file`, 'exists');
  refuseUnwritableTarget(backupPath);
  if (!force && fs.existsSync(backupPath)) throw new RefusedError(`${backupPath} already exists; pass --force to overwrite it`, 'exists');
  const temporary = temporaryBeside(backupPath);
  try {
    // Not through openDatabase: a backup must not migrate or otherwise change the live database. Not a read-only
    // connection either: only a writable one removes the -wal and -shm it created when the server is not running.
    const source = new Database(databasePath, { fileMustExist: true });
    try {
      source.pragma('query_only = ON');
      await source.backup(temporary, { progress: () => ALL_PAGES });
    } finally {
      source.close();
    }
    const summary = sealAndCheck(temporary, 'the backup');
    renameIntoPlace(temporary, backupPath);
    return { path: backupPath, ...summary };
  } finally {
    fs.rmSync(temporary, { force: true }); // only left there when something failed
  }
}

/**
 * Fails when another process has the database open. The server keeps the file in WAL mode, where every open
 * connection holds a shared lock on it until it closes, so an exclusive lock is granted only when none is open.
 */
function refuseIfInUse(databasePath: string): void {
  if (!fs.existsSync(databasePath)) return;
  const sqlite = new Database(databasePath, { fileMustExist: true, timeout: 1000 });
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    if (isSqliteError(error, 'SQLITE_BUSY', 'SQLITE_LOCKED')) {
      throw new RefusedError(`${databasePath} is in use: stop the server (and any other process using the database) before restoring`, 'in-use');
    }
    // A file SQLite cannot read is not open in a server either; restoring over it is what the operator wants.
    if (!isSqliteError(error, 'SQLITE_NOTADB', 'SQLITE_CORRUPT')) throw error;
  } finally {
    sqlite.close();
  }
}

/**
 * Replaces the database at `databasePath` with the backup at `backupPath`. The server must be stopped; it
 * applies any migrations newer than the backup when it starts again. The backup is copied beside the target
 * and checked there, so what is checked is exactly what goes live; the old file's -wal and -shm are removed,
 * because SQLite would otherwise replay the old database's log into the restored one.
 */
export function restoreDatabase(backupPath: string, databasePath: string): DatabaseFileSummary {
  if (!fs.existsSync(backupPath)) throw new RefusedError(`there is no backup at ${backupPath}`, 'missing');
  if (isDirectory(backupPath)) throw new RefusedError(`${backupPath} is a directory, not a backup file`, 'missing');
  // The database itself would be copied without the transactions its -wal holds, and that -wal then deleted.
  const live = liveFileNamed(backupPath, databasePath);
  if (live) throw new RefusedError(`${backupPath} is ${live}, not a backup`, 'invalid');
  refuseUnwritableTarget(databasePath, { createDirectory: true });
  const temporary = temporaryBeside(databasePath);
  try {
    fs.copyFileSync(backupPath, temporary);
    const summary = sealAndCheck(temporary, backupPath);
    // Code that does not know the schema (a backup from a newer release) would misread it, or re-run migrations on it.
    if (summary.schema === null) throw new RefusedError(`${backupPath} has a migration this build does not ship (a newer or different build wrote it)`, 'invalid');
    refuseIfInUse(databasePath);
    for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${databasePath}${suffix}`, { force: true });
    renameIntoPlace(temporary, databasePath);
    return { path: databasePath, ...summary };
  } finally {
    fs.rmSync(temporary, { force: true }); // only left there when something failed
  }
}

/** The summary line both commands print. */
export const describe = (summary: DatabaseFileSummary) =>
  `${summary.path}: ${summary.bytes} bytes, ${summary.pages} pages, integrity ok, schema ${summary.schema ?? 'unknown to this build'}, ${summary.tasks} tasks, ${summary.reports} progress reports`;
