import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST = '127.0.0.1';

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
}

/** Every child we started, so one cleanup path can stop them on success, failure and Ctrl-C alike. */
const children = new Set<ChildProcess>();

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export function runCommand(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    children.add(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** Asks the OS for a free loopback port (a tiny race before the server binds it is acceptable here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server on a free port with its stdout/stderr written straight to `logFile`: the child holds the
 * file descriptor itself, so this process does not spend CPU relaying log lines during a measurement.
 */
export async function startServer(options: { name: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<Server> {
  const port = await freePort();
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PORT: String(port), HOST },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const server = { name: options.name, url: `http://${HOST}:${port}`, child, logFile: options.logFile };
  await waitForHealth(server);
  return server;
}

/** Throws if the server's process has exited: figures from a dead server would be connection errors. */
export function assertRunning(server: Server, when: string): void {
  const { exitCode, signalCode } = server.child;
  if (exitCode !== null || signalCode !== null) {
    throw new Error(`${server.name} exited ${when} (${signalCode ?? `exit ${exitCode}`})`);
  }
}

async function waitForHealth(server: Server, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    assertRunning(server, 'during start-up');
    try {
      const response = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${server.name} did not answer /health within ${timeoutMs} ms`);
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM every child still running, SIGKILL whatever has not exited after `graceMs`. */
export async function stopAll(graceMs = 5_000): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}
