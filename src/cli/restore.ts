/**
 * Replaces the server's database (DATABASE_PATH) with a backup. Stop the server first; it refuses while the
 * database is open. The server applies any newer migrations when it starts again.
 *   npm run restore -- <file>          in the container: node dist/cli/restore.js <file>
 */
import { loadConfig } from '../config.js';
import { describe, restoreDatabase } from '../db/backup.js';
import { parseFileArgument, runCommand } from './command.js';

await runCommand('restore', 'usage: restore <file>   (stop the server first)', (argv) => {
  const { file } = parseFileArgument(argv, []);
  const summary = restoreDatabase(file, loadConfig().databasePath);
  console.log(`restored ${file} into ${describe(summary)}; start the server to apply newer migrations`);
});
