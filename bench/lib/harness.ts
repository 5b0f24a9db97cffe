/**
 * What every bench entry point shares: configuration from the environment, a temporary directory cleaned up on
 * success, failure and Ctrl-C alike, the project server started the way the bench measures it, and an exit code
 * that fails only when the harness itself fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, startServer, stopAll, tail, type Server } from './processes.js';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const projectRoot = path.resolve(benchDir, '..');
export const resultsDir = path.join(benchDir, 'results');

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

export function buildProject(): Promise<void> {
  console.log('building the project…');
  return runCommand('npm', ['run', '--silent', 'build'], projectRoot);
}

/**
 * Starts `node dist/server.js` on a fresh database file, which it migrates and seeds. Request logging is on, as
 * in production. The rate limits are off: the load comes from one address with a handful of keys, so the
 * per-address and per-key limits would answer 429 to the measurement itself.
 */
export function startProject(tempDir: string, databasePath: string, options: { name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Server> {
  const name = options.name ?? 'project';
  return startServer({
    name,
    args: ['dist/server.js'],
    cwd: projectRoot,
    env: { DATABASE_PATH: databasePath, LOG_LEVEL: 'info', RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_PER_KEY: '0', ...options.env },
    logFile: path.join(tempDir, `${name}.log`),
  });
}

/**
 * Runs `main` with a fresh temporary directory. On failure prints the error and the last lines of every server
 * log in that directory and sets a non-zero exit code; stops the servers and deletes the directory in all cases.
 */
export async function runBench(main: (tempDir: string) => Promise<void>): Promise<void> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-bench-'));
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await stopAll();
    fs.rmSync(tempDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping servers`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    await main(tempDir);
  } catch (error) {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const log of fs.readdirSync(tempDir).filter((file) => file.endsWith('.log'))) {
      console.error(`--- last lines of ${log}\n${tail(path.join(tempDir, log))}`);
    }
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}
