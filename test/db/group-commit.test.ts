import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { createGroupCommit } from '../../src/db/group-commit.js';
import { tempDatabasePath } from '../helpers/app.js';

/** A writer connection with the project's pragmas, and a second connection that sees only committed data. */
function databases(t: Test) {
  const file = tempDatabasePath(t);
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = FULL');
  writer.pragma('foreign_keys = ON');
  writer.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)');
  const reader = new Database(file, { readonly: true });
  t.teardown(() => {
    reader.close();
    writer.close();
  });
  const stored = () => (reader.prepare('SELECT text FROM notes ORDER BY id').all() as { text: string }[]).map((r) => r.text);
  return { writer, stored };
}

t.test('writes of one turn share one commit, and are on disk once settled() resolves', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  group.transaction(() => insert.run('first'));
  group.transaction(() => insert.run('second'));
  t.same(stored(), [], 'not visible to other connections before the commit');
  await group.settled();
  t.same(stored(), ['first', 'second']);
  t.notOk(writer.inTransaction, 'the group is closed');

  group.transaction(() => insert.run('next turn'));
  await group.settled();
  t.same(stored(), ['first', 'second', 'next turn'], 'a later turn opens a new group');
});

t.test('a failing write rolls back alone; the rest of its group is committed', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  group.transaction(() => insert.run('kept'));
  t.throws(
    () =>
      group.transaction(() => {
        insert.run('half of a failed write');
        insert.run('kept'); // UNIQUE violation: the whole write fails
      }),
    { code: 'SQLITE_CONSTRAINT_UNIQUE' },
  );
  group.transaction(() => insert.run('also kept'));
  await group.settled();
  t.same(stored(), ['kept', 'also kept']);
});

t.test('writes nest: an inner failure caught by the outer write undoes only the inner part', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  group.transaction(() => {
    insert.run('outer');
    try {
      group.transaction(() => {
        insert.run('inner');
        throw new Error('row rejected');
      });
    } catch {
      // a bulk import keeps going after a bad row when it is not atomic
    }
  });
  await group.settled();
  t.same(stored(), ['outer']);
});

t.test('when the commit fails, settled() rejects and nothing of the group is stored', async (t) => {
  const { writer, stored } = databases(t);
  // A deferred foreign key is checked at COMMIT: a real commit-time failure, as a full disk would give.
  writer.exec('CREATE TABLE parents (id INTEGER PRIMARY KEY); CREATE TABLE children (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)');
  const group = createGroupCommit(writer);
  group.transaction(() => writer.prepare('INSERT INTO notes (text) VALUES (?)').run('lost with its group'));
  group.transaction(() => writer.prepare('INSERT INTO children (parent) VALUES (42)').run());
  await t.rejects(group.settled(), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  t.same(stored(), []);
  t.notOk(writer.inTransaction, 'rolled back');

  group.transaction(() => writer.prepare('INSERT INTO notes (text) VALUES (?)').run('after the failure'));
  await group.settled();
  t.same(stored(), ['after the failure'], 'the next group works');
});

t.test('when SQLite rolls back the whole group (disk full), every write of it fails and later writes start afresh', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  const pages = writer.pragma('page_count', { simple: true }) as number;
  writer.pragma(`max_page_count = ${pages + 1}`);
  group.transaction(() => insert.run('small, but in the group that fails'));
  const outcome = group.settled();
  t.throws(() => group.transaction(() => insert.run('x'.repeat(100_000))), { code: 'SQLITE_FULL' });
  await t.rejects(outcome, { code: 'SQLITE_FULL' }, 'the earlier write of the group is not acknowledged');

  writer.pragma(`max_page_count = ${pages + 1000}`);
  group.transaction(() => insert.run('written after the failure, in the same turn'));
  await group.settled();
  t.same(stored(), ['written after the failure, in the same turn']);
});

t.test('flush() commits the open group at once (shutdown)', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  group.transaction(() => writer.prepare('INSERT INTO notes (text) VALUES (?)').run('flushed'));
  group.flush();
  t.same(stored(), ['flushed']);
  await group.settled();
});

t.test('onCommit is told how many writes each committed group held (nested writes count once, failed ones not at all)', async (t) => {
  const { writer, stored } = databases(t);
  const sizes: number[] = [];
  const group = createGroupCommit(writer, { onCommit: (writes) => sizes.push(writes) });
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  group.transaction(() => insert.run('one'));
  group.transaction(() => group.transaction(() => insert.run('two, nested')));
  t.throws(() => group.transaction(() => insert.run('one')), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
  await group.settled();
  t.same(sizes, [2]);

  const throwing = createGroupCommit(writer, {
    onCommit: () => {
      throw new Error('observer failed');
    },
  });
  throwing.transaction(() => insert.run('three'));
  await throwing.settled();
  t.same(stored(), ['one', 'two, nested', 'three'], 'an observer that throws changes nothing');
  await group.settled();
  t.same(sizes, [2], 'a turn without writes commits nothing and is not counted');
});
