import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
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
export async function runCommand(t: Test, command: 'backup' | 'restore', args: string[], databasePath: string, user?: OtherUser): Promise<CommandResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', `${command}.ts`), ...args], {
    cwd: projectRoot,
    env: childEnv({ DATABASE_PATH: databasePath, ...user?.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user && { uid: user.uid, gid: user.gid }),
  });
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

export interface OtherUser {
  uid: number;
  gid: number;
  env: Record<string, string>;
}

/**
 * An unprivileged user to run a command as, when the tests run as root (whom no file permission stops); undefined
 * otherwise. tap's process-info hook, which follows every child, writes under _TAPJS_PROCESSINFO_CWD_ when the
 * child exits: that is pointed at a directory the user may write in, or the child would end with EACCES.
 */
export function otherUserIfRoot(t: Test): OtherUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const processInfo = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-processinfo-'));
  fs.chmodSync(processInfo, 0o777);
  t.teardown(() => fs.rmSync(processInfo, { recursive: true, force: true }));
  return { uid: 65534, gid: 65534, env: { _TAPJS_PROCESSINFO_CWD_: processInfo } };
}
