/**
 * The contract tested from outside, as an integrator's tool sees it:
 *
 *   npm run contract-test
 *
 * Starts the server (a real socket) on a fresh temporary database with the seed plan loaded and reads requiring a
 * key (REQUIRE_AUTH_FOR_READS), issues an admin key with `npm run apikey`, subscribes the webhook example and posts
 * one report (the contract's own examples), then lets Portman generate a Postman collection from openapi/openapi.json — for every operation: a 2xx
 * status, the declared content type, a JSON body, the response schema, the declared headers — and runs it with
 * Newman. Every request is the contract's own: its example ids, bodies and parameters. scripts/portman-config.json
 * only orders the report writes (see there). Exits non-zero on any failure, naming each.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../src/db/client.js';
import { startServer, waitForListening } from '../test/helpers/server-process.js';

const run = promisify(execFile);
const contractPath = path.join(projectRoot, 'openapi', 'openapi.json');
const portmanConfigPath = path.join(projectRoot, 'scripts', 'portman-config.json');
const bin = (name: string) => path.join(projectRoot, 'node_modules', '.bin', name);

interface NewmanRun {
  run: {
    stats: { requests: { total: number }; assertions: { total: number; failed: number } };
    executions: {
      item: { name: string };
      request: { method: string; url: { path?: string[] } };
      response?: { code: number; stream?: { data: number[] } };
      assertions?: { assertion: string; error?: { message: string } }[];
    }[];
  };
}

/** The first admin key, as an operator makes it on the server: the token is the command's last line. */
async function issueAdminKey(databasePath: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'apikey.ts'), '--role', 'admin', '--name', '契约测试'], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_PATH: databasePath },
  });
  return stdout.trim().split('\n').at(-1)!;
}

/** One report on the server before the collection runs: the contract's own example of `POST /reports`. */
async function postExampleReport(baseUrl: string, token: string): Promise<void> {
  const contract = JSON.parse(fs.readFileSync(contractPath, 'utf8')) as { components: { schemas: { ReportInput: { examples: unknown[] } } } };
  const res = await fetch(`${baseUrl}/api/v1/reports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(contract.components.schemas.ReportInput.examples[0]),
  });
  if (res.status !== 201) throw new Error(`posting the example report answered ${res.status}: ${await res.text()}`);
}

/**
 * POST /webhooks's example, subscribed before the report writes as an integrator would: the deliveries the examples
 * name are then the messages those writes owe (the collection runs the integration operations last). Its URL carries
 * a query here, so the example itself, posted later by the collection, is not a twin of this one (that would be a 409).
 */
const subscribedFirst = (example: { url: string }) => ({ ...example, url: `${example.url}?subscribed=before-the-collection` });

async function subscribeExampleWebhook(baseUrl: string, token: string): Promise<void> {
  const contract = JSON.parse(fs.readFileSync(contractPath, 'utf8')) as {
    paths: { '/api/v1/webhooks': { post: { requestBody: { content: { 'application/json': { example: unknown } } } } } };
  };
  const res = await fetch(`${baseUrl}/api/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(subscribedFirst(contract.paths['/api/v1/webhooks'].post.requestBody.content['application/json'].example as { url: string })),
  });
  if (res.status !== 201) throw new Error(`subscribing the example webhook answered ${res.status}: ${await res.text()}`);
}

function failuresOf(result: NewmanRun): string[] {
  return result.run.executions.flatMap(({ item, request, response, assertions }) =>
    (assertions ?? [])
      .filter(({ error }) => error)
      .map(({ assertion, error }) => {
        const body = response?.stream ? Buffer.from(response.stream.data).toString('utf8').slice(0, 300) : '';
        return `${request.method} /${(request.url.path ?? []).join('/')} (${item.name}): ${assertion}\n    ${error!.message}\n    answered ${response?.code}: ${body}`;
      }),
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-contract-'));
  const databasePath = path.join(dir, 'plan-tracker.db');
  // POST /webhooks's example names a host the server may send to without resolving it (no DNS needed here).
  const server = startServer({ DATABASE_PATH: databasePath, PORT: '0', REQUIRE_AUTH_FOR_READS: 'true', WEBHOOK_ALLOWED_HOSTS: 'hooks.example.gov.cn' });
  try {
    const baseUrl = await waitForListening(server);
    const token = await issueAdminKey(databasePath);
    await subscribeExampleWebhook(baseUrl, token);
    await postExampleReport(baseUrl, token);
    const collection = path.join(dir, 'collection.json');
    // Portman writes its working files under ./tmp: run it in the temporary directory.
    await run(bin('portman'), ['--local', contractPath, '--portmanConfigFile', portmanConfigPath, '--baseUrl', baseUrl, '--output', collection], { cwd: dir });
    const report = path.join(dir, 'newman.json');
    await run(bin('newman'), ['run', collection, '--env-var', `bearerToken=${token}`, '--reporters', 'json', '--reporter-json-export', report], { cwd: dir }).catch(
      () => undefined, // Newman exits 1 when an assertion fails; its report says which.
    );
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as NewmanRun;
    const failures = failuresOf(result);
    const { requests, assertions } = result.run.stats;
    for (const failure of failures) console.error(`✗ ${failure}`);
    console.log(`contract test: ${requests.total} requests, ${assertions.total} assertions, ${assertions.failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return failures.length === 0 && assertions.failed === 0 && requests.total > 0 ? 0 : 1;
  } catch (error) {
    console.error(error);
    console.error(server.output());
    return 1;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
