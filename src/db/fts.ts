import { sql, type SQL } from 'drizzle-orm';
import { integer, sqliteTable, text, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { likeLiteral, param } from './sql.js';

/**
 * Full-text search over the FTS5 tables of migration 0003_search (`tasks_fts`, `measures_fts`, `units_fts`;
 * trigram tokenizer, rowid = the source row's id, kept in step by triggers).
 *
 * The trigram tokenizer indexes every run of three characters, so a query of three or more characters is
 * matched as one quoted phrase — which is substring matching — and can be ranked by bm25. A query of one or two
 * characters has no trigram to look up: it falls back to a LIKE scan of the source columns, unranked. Both
 * ignore the case of letters (LIKE only of ASCII letters, the tokenizer of all: they differ only on letters
 * such as Ä/ä, which the plan does not use).
 */
export const MIN_FTS_QUERY_LENGTH = 3;

/*
 * The FTS5 tables, declared here and not in schema.ts: drizzle-kit cannot create virtual tables (the migration
 * does), and these declarations only let queries name their columns. `rowid` is the source row's id.
 */
export const tasksFts = sqliteTable('tasks_fts', { rowid: integer('rowid').notNull(), title: text('title').notNull() });
export const measuresFts = sqliteTable('measures_fts', {
  rowid: integer('rowid').notNull(),
  text: text('text').notNull(),
  targets: text('targets').notNull(),
});
/** `aliases`: the unit's other spellings, separated by a newline. */
export const unitsFts = sqliteTable('units_fts', {
  rowid: integer('rowid').notNull(),
  name: text('name').notNull(),
  aliases: text('aliases').notNull(),
});

export type FtsTableRef = typeof tasksFts | typeof measuresFts | typeof unitsFts;

/**
 * User text as a single FTS5 phrase: wrapped in double quotes with inner quotes doubled, so nothing in it is
 * FTS5 syntax (`*`, `OR`, `NEAR(`, `-`, `:`, `^` are matched as characters). Bound as a parameter, never spliced into SQL.
 */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * How a free-text query runs: `fts` (a MATCH phrase) for ≥ 3 characters, `like` (an escaped LIKE literal) below;
 * both null without a query.
 */
export interface TextSearch {
  fts: string | null;
  like: string | null;
}

export function textSearch(q: string | undefined): TextSearch {
  if (q === undefined || q === '') return { fts: null, like: null };
  // Characters, not UTF-16 code units: the tokenizer counts code points.
  if ([...q].length >= MIN_FTS_QUERY_LENGTH) return { fts: ftsPhrase(q), like: null };
  return { fts: null, like: likeLiteral(q) };
}

/**
 * A sub-select of the rowids (= source ids) of `table` whose text — or only `column`, when given — matches the
 * phrase bound to parameter `name`. Use it behind `whenGiven(name, …)`: MATCH NULL is an FTS5 error.
 */
export function ftsRowids(table: FtsTableRef, name: string, column?: SQLiteColumn): SQL {
  return sql`(SELECT ${table.rowid} FROM ${table} WHERE ${column ?? table} MATCH ${param(name)})`;
}
