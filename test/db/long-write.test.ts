import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { openConnection } from '../../src/db/client.js';
import { createGroupCommit } from '../../src/db/group-commit.js';
import { createLongWrites } from '../../src/db/long-write.js';

/** A database file with one table, the server's connection (group commit) and a long-write connection beside it. */
function setUp(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'long-write-'));
  const file = path.join(dir, 'db.sqlite');
  const main = openConnection(file);
  main.exec('CREATE TABLE rows (n INTEGER NOT NULL)');
  const groupCommit = createGroupCommit(main);
  const longWrites = createLongWrites(groupCommit, () => {
    const sqlite = openConnection(file);
    return { sqlite, context: { insert: sqlite.prepare('INSERT INTO rows (n) VALUES (?)') } };
  });
  const count = () => main.prepare('SELECT count(*) FROM rows').pluck().get() as number;
  t.teardown(() => {
    longWrites.close();
    main.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { file, main, groupCommit, longWrites, count };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

t.test('a long write spans turns; meanwhile reads see the last commit and writes wait', async (t) => {
  const { file, longWrites, count } = setUp(t);
  const seen: number[] = [];
  let rowsWhenIdle: number | undefined;
  const running = longWrites.run(async ({ context, pause }) => {
    for (let i = 0; i < 50; i++) {
      context.insert.run(i);
      await turn(); // as a pause does when its slice is over
      await pause();
    }
    return 'done';
  });
  void longWrites.idle().then(() => (rowsWhenIdle = count()));
  for (let i = 0; i < 20; i++) {
    await turn();
    seen.push(count());
  }
  t.equal(await running, 'done');
  await turn();
  t.same([...new Set(seen)], [0], 'the server connection never saw uncommitted rows');
  t.equal(count(), 50, 'all of them once committed');
  t.equal(rowsWhenIdle, 50, 'a write waiting at idle() went on only after the commit');
  const other = new Database(file, { readonly: true });
  t.equal(other.prepare('SELECT count(*) FROM rows').pluck().get(), 50, 'committed for every connection');
  other.close();
});

t.test('a long write that throws leaves nothing, and a savepoint takes back only its part', async (t) => {
  const { longWrites, count } = setUp(t);
  await t.rejects(
    longWrites.run(async ({ context, pause }) => {
      context.insert.run(1);
      await pause();
      throw new Error('refused');
    }),
    { message: 'refused' },
  );
  t.equal(count(), 0, 'rolled back');
  await longWrites.run(async ({ context, savepoint }) => {
    context.insert.run(1);
    await savepoint(async () => {
      context.insert.run(2);
      throw new Error('this part only');
    }).catch(() => {});
    context.insert.run(3);
  });
  t.equal(count(), 2, 'the savepoint took back its row only');
});

t.test('writes in the turn a long write starts are committed before it begins', async (t) => {
  const { main, groupCommit, longWrites, count } = setUp(t);
  const insert = main.prepare('INSERT INTO rows (n) VALUES (?)');
  groupCommit.transaction(() => insert.run(100));
  const groupDone = groupCommit.settled();
  await longWrites.run(async ({ context }) => context.insert.run(1));
  await groupDone;
  t.equal(count(), 2, 'both stored, neither waited for the other’s lock');
});
