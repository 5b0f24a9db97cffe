import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { BACKSTOP_CHECKPOINT_PAGES, startCheckpointer } from '../../src/db/checkpointer.js';
import { openConnection } from '../../src/db/client.js';

t.test('the worker copies the WAL into the database file, so the server connection never has to', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointer-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'db.sqlite');
  const main = openConnection(file);
  t.teardown(() => main.close());
  main.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  main.exec('CREATE TABLE rows (text TEXT NOT NULL)');
  const insert = main.prepare('INSERT INTO rows (text) VALUES (?)');
  // About 2,500 pages of WAL: past SQLite's default checkpoint (1,000), under the backstop.
  main.transaction(() => {
    for (let i = 0; i < 2_500; i++) insert.run('报'.repeat(1_300));
  })();
  const fileBytes = () => fs.statSync(file).size;
  const before = fileBytes();
  t.ok(before < 100_000, `the server connection did not checkpoint (${before} bytes in the database file)`);

  const errors: string[] = [];
  const checkpointer = startCheckpointer(file, { intervalMs: 20, onError: (message) => errors.push(message) });
  for (const started = Date.now(); fileBytes() < 9_000_000 && Date.now() - started < 20_000;) await new Promise((resolve) => setTimeout(resolve, 20));
  t.ok(fileBytes() >= 9_000_000, `the worker checkpointed (${fileBytes()} bytes now)`);
  await checkpointer.stop();
  t.same(errors, [], 'without errors');
  t.equal(main.prepare('SELECT count(*) FROM rows').pluck().get(), 2_500, 'every row still there');
});
