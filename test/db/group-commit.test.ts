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

t.test('writes of one turn share one commit, and are on disk once durable() settles', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  group.transaction(() => insert.run('first'));
  group.transaction(() => insert.run('second'));
  t.same(stored(), [], 'not visible to other connections before the commit');
  await group.durable();
  t.same(stored(), ['first', 'second']);
  t.notOk(writer.inTransaction, 'the group is closed');

  group.transaction(() => insert.run('next turn'));
  await group.durable();
  t.same(stored(), ['first', 'second', 'next turn'], 'a later turn opens a new group');
});

t.test('a failing write rolls back alone; the rest of its group is committed', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  const insert = writer.prepare('INSERT INTO notes (text) VALUES (?)');
  group.transaction(() => insert.run('kept'));
  t.throws(() =>
    group.transaction(() => {
      insert.run('half of a failed write');
      insert.run('kept'); // UNIQUE violation: the whole write fails
    }),
  );
  group.transaction(() => insert.run('also kept'));
  await group.durable();
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
  await group.durable();
  t.same(stored(), ['outer']);
});

t.test('when the commit fails, durable() rejects and nothing of the group is stored', async (t) => {
  const { writer, stored } = databases(t);
  // A deferred foreign key is checked at COMMIT: a real commit-time failure, as a full disk would give.
  writer.exec('CREATE TABLE parents (id INTEGER PRIMARY KEY); CREATE TABLE children (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)');
  const group = createGroupCommit(writer);
  group.transaction(() => writer.prepare('INSERT INTO notes (text) VALUES (?)').run('lost with its group'));
  group.transaction(() => writer.prepare('INSERT INTO children (parent) VALUES (42)').run());
  await t.rejects(group.durable(), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  t.same(stored(), []);
  t.notOk(writer.inTransaction, 'rolled back');

  group.transaction(() => writer.prepare('INSERT INTO notes (text) VALUES (?)').run('after the failure'));
  await group.durable();
  t.same(stored(), ['after the failure'], 'the next group works');
});

t.test('flush() commits the open group at once (shutdown)', async (t) => {
  const { writer, stored } = databases(t);
  const group = createGroupCommit(writer);
  group.transaction(() => writer.prepare('INSERT INTO notes (text) VALUES (?)').run('flushed'));
  group.flush();
  t.same(stored(), ['flushed']);
  await group.durable();
});
