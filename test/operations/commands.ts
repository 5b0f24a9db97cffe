import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Test } from 'tap';
import { projectRoot } from '../../src/db/client.js';
import { childEnv } from '../helpers/child-env.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run backup|restore -- …` as npm does (tsx on src/cli), on the database at `databasePath`. */
export async function runCommand(t: Test, command: 'backup' | 'restore', args: string[], databasePath: string): Promise<CommandResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', `${command}.ts`), ...args], {
    cwd: projectRoot,
    env: childEnv({ DATABASE_PATH: databasePath }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
