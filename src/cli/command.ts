/** What the backup and restore commands share: argument parsing and sysexits-style exit codes. */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { RefusedError } from '../db/backup.js';

export class UsageError extends Error {}

/** sysexits.h codes, so scripts can tell a refusal's reason from its exit status. */
const EXIT_CODES: Record<RefusedError['reason'] | 'usage' | 'config' | 'io', number> = {
  usage: 64, // EX_USAGE
  invalid: 65, // EX_DATAERR: not a (sound) plan-tracker database
  missing: 66, // EX_NOINPUT
  exists: 73, // EX_CANTCREAT: would overwrite a file without --force
  unwritable: 73, // EX_CANTCREAT: the target is a directory, or its directory is unusable
  'in-use': 75, // EX_TEMPFAIL: stop the server and run it again
  config: 78, // EX_CONFIG
  io: 74, // EX_IOERR: the file system or SQLite failed midway (disk full, a file removed under us …)
};

/** An error from the operating system (it names its system call) or from SQLite: the environment failed, not our code. */
const isEnvironmentError = (error: unknown) => typeof (error as { syscall?: unknown }).syscall === 'string' || (error as Error).name === 'SqliteError';

/** The one file argument and the flags a command accepts; anything else is a usage error. */
export function parseFileArgument<const Flags extends string>(argv: string[], flags: readonly Flags[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: Object.fromEntries(flags.map((flag) => [flag, { type: 'boolean' as const }])),
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the backup file' : 'name exactly one backup file');
  return { file: positionals[0]!, flags: values as Partial<Record<Flags, boolean>> };
}

/** Runs a command's main function and turns expected failures into a message on stderr and an exit code. */
export async function runCommand(name: string, usage: string, main: (argv: string[]) => Promise<void> | void): Promise<void> {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    const message = `${name}: ${(error as Error).message}`;
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${message}\n${usage}`);
      process.exitCode = EXIT_CODES.usage;
    } else if (error instanceof RefusedError || error instanceof ConfigError) {
      console.error(message);
      process.exitCode = EXIT_CODES[error instanceof RefusedError ? error.reason : 'config'];
    } else if (isEnvironmentError(error)) {
      console.error(message); // one line for the operator, as for a refusal; a stack trace would only hide it
      process.exitCode = EXIT_CODES.io;
    } else {
      throw error;
    }
  }
}
