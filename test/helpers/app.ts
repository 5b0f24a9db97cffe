import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { buildApp, type AppConfig } from '../../src/app.js';

/** A fresh database file in its own temporary directory, removed when the test ends. */
export function tempDatabasePath(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'plan-tracker.db');
}

/** The whole app on its own real SQLite file with the seed plan loaded; closed after the test. */
export async function buildTestApp(t: Test, options: Omit<AppConfig, 'databasePath' | 'logLevel'> = {}) {
  const app = await buildApp({ databasePath: tempDatabasePath(t), logLevel: 'silent', ...options });
  t.teardown(() => app.close());
  return app;
}

/** The app and the path of its database file, for tests that also read the database directly. */
export async function buildTestAppWithDatabase(t: Test, options: Omit<AppConfig, 'databasePath' | 'logLevel'> = {}) {
  const databasePath = tempDatabasePath(t);
  const app = await buildApp({ databasePath, logLevel: 'silent', ...options });
  t.teardown(() => app.close());
  return { app, databasePath };
}
