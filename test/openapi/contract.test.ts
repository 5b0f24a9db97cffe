import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { projectRoot } from '../../src/db/client.js';
import { generateOpenApiText } from '../../scripts/openapi.js';
import { buildTestApp } from '../helpers/app.js';

const committedPath = path.join(projectRoot, 'openapi', 'openapi.json');

t.test('the committed contract is what the route schemas generate (run `npm run openapi`)', async (t) => {
  t.equal(fs.readFileSync(committedPath, 'utf8'), await generateOpenApiText());
});

t.test('the contract passes the Redocly linter', async (t) => {
  const redocly = path.join(projectRoot, 'node_modules', '.bin', 'redocly');
  const { stdout } = await promisify(execFile)(redocly, ['lint', committedPath, '--format=json'], { cwd: projectRoot });
  const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number } };
  t.same(report.totals, { ...report.totals, errors: 0, warnings: 0 }, 'no errors or warnings');
});

t.test('every operation documents its responses, examples and a description', async (t) => {
  const doc = JSON.parse(fs.readFileSync(committedPath, 'utf8')) as {
    paths: Record<string, Record<string, { description?: string; operationId?: string; requestBody?: { content: Record<string, { example?: unknown; schema: { $ref?: string; contentMediaType?: string; examples?: unknown[] } }> }; responses: Record<string, { description: string; content?: Record<string, { example?: unknown; schema: { $ref?: string; format?: string; examples?: unknown[] } }> }> }>>;
    components: { schemas: Record<string, { examples?: unknown[] }> };
  };
  const operations = Object.entries(doc.paths).flatMap(([route, ops]) => Object.entries(ops).map(([method, op]) => ({ route, method, op })));
  t.ok(operations.length >= 12);
  for (const { route, method, op } of operations) {
    const name = `${method.toUpperCase()} ${route}`;
    t.ok(op.operationId, `${name} has an operationId`);
    t.ok((op.description ?? '').length > 40, `${name} has a description an integrator can act on`);
    const success = Object.keys(op.responses).filter((status) => status.startsWith('2'));
    const ok = op.responses[success[0]!];
    t.ok(ok, `${name} documents its success response`);
    t.ok(Object.keys(ok?.content ?? {}).length > 0, `${name} documents what its success response carries`);
    for (const [mediaType, media] of Object.entries(ok?.content ?? {})) {
      // A binary body (an .xlsx workbook) has no example worth inlining: it must declare itself binary instead.
      if (media.schema.format === 'binary') {
        t.notMatch(mediaType, /json|^text\//, `${name} ${mediaType}: only a non-text media type is binary`);
        continue;
      }
      const ref = media.schema.$ref;
      const example = ref ? doc.components.schemas[ref.split('/').pop()!]?.examples?.[0] : (media.example ?? media.schema.examples?.[0]);
      t.ok(example, `${name} shows an example ${mediaType} response`);
    }
    for (const [mediaType, media] of Object.entries(op.requestBody?.content ?? {})) {
      // An uploaded workbook declares itself bytes of its media type (OpenAPI 3.1) instead of inlining an example.
      if (media.schema.contentMediaType === mediaType) {
        t.notMatch(mediaType, /json|^text\//, `${name} ${mediaType}: only a non-text media type is binary`);
        continue;
      }
      const ref = media.schema.$ref;
      const bodyExample = ref ? doc.components.schemas[ref.split('/').pop()!]?.examples?.[0] : (media.example ?? media.schema.examples?.[0]);
      t.ok(bodyExample, `${name} shows an example ${mediaType} body`);
    }
    // Errors only: a 304 (conditional GET of the catalogue) has no body at all.
    for (const [status, response] of Object.entries(op.responses).filter(([s]) => Number(s) >= 400)) {
      t.ok(response.content?.['application/problem+json'], `${name} ${status} is problem+json`);
    }
  }
});

t.test('the running server serves the same contract and the Swagger UI', async (t) => {
  const app = await buildTestApp(t);
  const served = await app.inject('/openapi.json');
  t.equal(served.statusCode, 200);
  t.same(served.json(), JSON.parse(fs.readFileSync(committedPath, 'utf8')));
  const ui = await app.inject('/docs/');
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
  const start = await app.inject('/');
  t.same(start.json(), { docs: '/docs', openapi: '/openapi.json', health: '/health', metrics: '/metrics', api: '/api/v1' }, 'GET / says where to start');
  for (const link of Object.values(start.json() as Record<string, string>).filter((l) => l !== '/api/v1')) {
    t.equal((await app.inject(link)).statusCode < 400, true, `${link} is there`);
  }
});
