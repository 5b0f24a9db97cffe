import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { projectRoot } from '../../src/db/client.js';

t.test('the typed client’s types are what openapi-typescript makes of the committed contract (run `npm run client:types`)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-client-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const generated = path.join(dir, 'schema.d.ts');
  const cli = path.join(projectRoot, 'node_modules', '.bin', 'openapi-typescript');
  await promisify(execFile)(cli, [path.join('openapi', 'openapi.json'), '-o', generated], { cwd: projectRoot });
  t.equal(fs.readFileSync(path.join(projectRoot, 'client', 'schema.d.ts'), 'utf8'), fs.readFileSync(generated, 'utf8'));
});
