/**
 * The outside contract-test tool (Portman generates a Postman collection from openapi/openapi.json, Newman runs it)
 * against a freshly started server: `npm run contract-test`, as CI runs it. Takes half a minute or so.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { projectRoot } from '../../src/db/client.js';
import { childEnv } from '../helpers/child-env.js';

t.test('the generated contract tests pass against a fresh server with one report posted', async (t) => {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'contract-test.ts')], {
    cwd: projectRoot,
    env: childEnv({}),
    timeout: 150_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const { stdout, stderr } = await run.catch((error: { stdout: string; stderr: string; code: number }) => {
    t.fail(`contract-test exited ${error.code}:\n${error.stderr}\n${error.stdout}`);
    return error;
  });
  const summary = /contract test: (\d+) requests, (\d+) assertions, (\d+) failed/.exec(stdout);
  t.ok(summary, `it says what it ran: ${stdout.trim()}`);
  const [requests, assertions, failed] = (summary ?? []).slice(1).map(Number);
  t.ok(requests! >= 40, `${requests} requests: every operation`);
  t.ok(assertions! >= 3 * requests!, `${assertions} assertions: status, content type, body and schema (workbooks: no JSON to check)`);
  t.equal(failed, 0, stderr);
});
