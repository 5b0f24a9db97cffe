/**
 * Online backup of the server's database (DATABASE_PATH) while the server keeps running:
 *   npm run backup -- <file> [--force]          in the container: node dist/cli/backup.js <file>
 * Prints one line: the backup's path, size, pages and what it holds.
 */
import { loadConfig } from '../config.js';
import { backupDatabase, describe } from '../db/backup.js';
import { parseFileArgument, runCommand } from './command.js';

await runCommand('backup', 'usage: backup <file> [--force]   (--force overwrites an existing file)', async (argv) => {
  const { file, flags } = parseFileArgument(argv, ['force']);
  const summary = await backupDatabase(loadConfig().databasePath, file, { force: flags.force });
  console.log(`backed up to ${describe(summary)}`);
});
