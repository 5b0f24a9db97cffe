/**
 * The contract's examples name data that exists (src/http/seed-examples.ts), and its security declarations say what
 * the server does. Driven by the contract the registered routes generate: a route added later is covered.
 */
import t, { type Test } from 'tap';
import { openDatabase } from '../../src/db/client.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { SEED_EXAMPLES } from '../../src/http/seed-examples.js';
import { buildTestAppWithDatabase, tempDatabasePath } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';
import { NewWebhookSchema } from '../../src/modules/webhooks/schemas.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
}
interface Operation {
  parameters?: Parameter[];
  security?: Record<string, string[]>[];
}
interface Contract {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { examples?: unknown[] }> };
}

async function contractOf(app: Awaited<ReturnType<typeof buildTestAppWithDatabase>>['app']): Promise<Contract> {
  await app.ready();
  return app.swagger() as unknown as Contract;
}

const operationsOf = (contract: Contract) =>
  Object.entries(contract.paths).flatMap(([route, methods]) => Object.entries(methods).map(([method, operation]) => ({ route, method, operation })));

/** The operation's example request: path parameters and required query parameters from their examples. */
function exampleUrl(route: string, operation: Operation): string {
  const parameters = operation.parameters ?? [];
  const path = route.replace(/\{(\w+)\}/g, (_, name: string) => String(parameters.find((p) => p.in === 'path' && p.name === name)?.example));
  const query = parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(String(p.example))}`);
  return query.length > 0 ? `${path}?${query.join('&')}` : path;
}

t.test('the seed loader gives the same ids on every fresh database', async (t) => {
  const dumps = [tempDatabasePath(t), tempDatabasePath(t)].map((databasePath) => {
    const db = openDatabase(databasePath);
    try {
      loadSeed(db);
      const tables = db.$client
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '%fts%' AND name NOT LIKE '__drizzle%' ORDER BY name")
        .pluck()
        .all() as string[];
      return Object.fromEntries(tables.map((table) => [table, db.$client.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all()]));
    } finally {
      db.$client.close();
    }
  });
  t.ok((dumps[0]!.assignments as unknown[]).length > 1000, 'assignments are part of the load');
  t.same(dumps[0], dumps[1], 'every table, row by row');
});

/**
 * A freshly seeded server with the reports the examples name: POST /reports's example, posted by a reporter of the
 * unit it names (a key the example suits: its unit owes the measure, the period is one it is due in). Before it, as
 * the contract test orders them, POST /webhooks's example (the server may send to its host, as the contract test's).
 */
async function seededWithExampleReport(t: Test, options: { requireAuthForReads?: boolean } = {}) {
  const { app, databasePath } = await buildTestAppWithDatabase(t, { ...options, webhooks: { allowedHosts: ['hooks.example.gov.cn'] } });
  const contract = await contractOf(app);
  const subscribed = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: issueKey(databasePath, 'admin').headers,
    payload: (NewWebhookSchema.examples as object[])[0]!,
  });
  t.equal(subscribed.statusCode, 201, 'POST /webhooks’s example subscribes');
  const reporter = issueKey(databasePath, 'reporter', SEED_EXAMPLES.unit.name);
  const posted = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: reporter.headers, payload: contract.components.schemas.ReportInput!.examples![0] as object });
  return { app, contract, posted, admin: issueKey(databasePath, 'admin') };
}

t.test('every path parameter has an example, and every read with examples answers 200 on a freshly seeded server', async (t) => {
  const { app, contract, posted, admin } = await seededWithExampleReport(t);
  t.equal(posted.statusCode, 201, 'POST /reports’s example is a report its unit’s reporter may write');
  t.equal(posted.json().id, SEED_EXAMPLES.report, 'and it is the report the examples name');
  t.equal(posted.headers.etag, SEED_EXAMPLES.reportEtag, 'with the ETag PATCH’s example names');

  const operations = operationsOf(contract);
  for (const { route, method, operation } of operations) {
    for (const parameter of (operation.parameters ?? []).filter((p) => p.in === 'path')) {
      t.not(parameter.example, undefined, `${method.toUpperCase()} ${route}: {${parameter.name}} has an example`);
    }
  }
  const reads = operations.filter(({ route, method }) => method === 'get' && route.includes('{'));
  t.ok(reads.length >= 10, `${reads.length} reads with path parameters`);
  for (const { route, operation } of reads) {
    const target = exampleUrl(route, operation);
    const res = await app.inject({ url: target, headers: admin.headers });
    t.equal(res.statusCode, 200, `GET ${target} (${route})`);
  }
});

t.test('reads declare the key they take: optional where the plan is public, required where the server requires it', async (t) => {
  const { app, contract, admin } = await seededWithExampleReport(t, { requireAuthForReads: true });
  const { app: publicApp } = await buildTestAppWithDatabase(t);
  const reads = operationsOf(contract).filter(({ method }) => method === 'get');
  for (const { route, operation } of reads) {
    const security = operation.security ?? [];
    t.ok(
      security.some((requirement) => 'bearerAuth' in requirement),
      `GET ${route} declares the bearer key`,
    );
    const optional = security.some((requirement) => Object.keys(requirement).length === 0);
    const target = exampleUrl(route, operation);
    const withKey = await app.inject({ url: target, headers: admin.headers });
    t.ok(withKey.statusCode < 400, `GET ${target} with a key → ${withKey.statusCode}`);
    // Outside /api/v1 (the start page, the health check) nothing ever needs a key.
    const always = !route.startsWith('/api/v1/');
    if (!optional) t.equal((await publicApp.inject(target)).statusCode, 401, `GET ${target} needs a key even when reads are public`);
    else if (!always) t.equal((await app.inject(target)).statusCode, 401, `GET ${target} without a key under REQUIRE_AUTH_FOR_READS → 401`);
    if (optional) t.ok((await publicApp.inject(target)).statusCode < 400, `GET ${target} without a key when reads are public`);
  }
});
