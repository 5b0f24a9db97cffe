import { and, count, eq, exists, isNull, or, sql, type SQLWrapper } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import { measuresFts, tasksFts, textSearch, unitsFts, type FtsTableRef } from '../../db/fts.js';
import { measures, tasks, unitAliases, units } from '../../db/schema.js';
import { containsParam, param } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';
import { cutSnippet, HIT_END, HIT_START, markMatches } from './snippet.js';

export const SEARCH_TYPES = ['task', 'measure', 'unit'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** A unit's aliases are indexed one per line; a snippet separates them with this. */
const ALIAS_SEPARATOR = '；';

export interface SearchHit {
  type: SearchType;
  id: number;
  title: string;
  snippet: string;
  rank: number;
  link: string;
  taskId?: number;
  taskNo?: number;
}

const LINKS: Record<SearchType, string> = { task: '/api/v1/tasks', measure: '/api/v1/measures', unit: '/api/v1/units' };

/** The branch for `type` runs only when `type` is in the JSON array bound to `types`. */
const wanted = (type: SearchType) => sql`${type} IN (SELECT value FROM json_each(${param('types')}))`;

const ftsMatch = (table: FtsTableRef) => sql`${table} MATCH ${param('fts')}`;

/** Column `column` of the matching FTS row, the whole text, with every match between HIT_START and HIT_END. */
const highlighted = (table: FtsTableRef, column: number) => sql`highlight(${table}, ${sql.raw(String(column))}, ${sql.raw(`'${HIT_START}'`)}, ${sql.raw(`'${HIT_END}'`)})`;

/** bm25 with its sign flipped: higher is more relevant. */
const relevance = (table: FtsTableRef) => sql`-bm25(${table})`;

const NULL = sql`NULL`;
const ZERO = sql`0`;

/**
 * The columns every branch of the search union selects, in the same order. `text` and `moreText` are the texts
 * searched (task title and NULL, measure text and targets, unit name and aliases): highlighted by FTS5 on the
 * full-text path, as stored on the LIKE path.
 */
function hitColumns(type: SearchType, columns: Record<'id' | 'title' | 'text' | 'moreText' | 'relevance' | 'taskId' | 'taskNo', SQLWrapper>) {
  return {
    type: sql<SearchType>`${sql.raw(`'${type}'`)}`.as('type'),
    typeOrder: sql<number>`${sql.raw(String(SEARCH_TYPES.indexOf(type)))}`.as('type_order'),
    id: sql<number>`${columns.id}`.as('id'),
    title: sql<string>`${columns.title}`.as('title'),
    text: sql<string>`${columns.text}`.as('text'),
    moreText: sql<string | null>`${columns.moreText}`.as('more_text'),
    relevance: sql<number>`${columns.relevance}`.as('relevance'),
    taskId: sql<number | null>`${columns.taskId}`.as('task_id'),
    taskNo: sql<number | null>`${columns.taskNo}`.as('task_no'),
  };
}

/**
 * Search across tasks (title), measures (text and annual targets) and units (name and aliases).
 *
 * Queries of three or more characters run on the FTS5 trigram indexes, ranked by bm25 (sign flipped: higher is
 * more relevant; each type is scored on its own index, so scores of different types compare only roughly).
 * Shorter queries scan the source columns with LIKE, and every hit has rank 0. Either way hits are ordered by
 * rank, then type (task, measure, unit), then id, and the snippet is cut from the first searched text that matched.
 */
export function createSearchRepository(db: Db) {
  // A unit merged into another is found through that one, whose alias its name became.
  const standing = isNull(units.retiredAt);
  // Query builders change as they are refined (orderBy, limit): each prepared statement gets a fresh one.
  const ftsHits = () =>
    unionAll(
      db
        .select(
          hitColumns('task', {
            id: tasks.id,
            title: tasks.title,
            text: highlighted(tasksFts, 0),
            moreText: NULL,
            relevance: relevance(tasksFts),
            taskId: tasks.id,
            taskNo: tasks.no,
          }),
        )
        .from(tasksFts)
        .innerJoin(tasks, eq(tasks.id, tasksFts.rowid))
        .where(and(wanted('task'), ftsMatch(tasksFts))),
      db
        .select(
          hitColumns('measure', {
            id: measures.id,
            title: measures.text,
            text: highlighted(measuresFts, 0),
            moreText: highlighted(measuresFts, 1),
            relevance: relevance(measuresFts),
            taskId: tasks.id,
            taskNo: tasks.no,
          }),
        )
        .from(measuresFts)
        .innerJoin(measures, eq(measures.id, measuresFts.rowid))
        .innerJoin(tasks, eq(tasks.id, measures.taskId))
        .where(and(wanted('measure'), ftsMatch(measuresFts))),
      db
        .select(
          hitColumns('unit', {
            id: units.id,
            title: units.name,
            text: highlighted(unitsFts, 0),
            moreText: highlighted(unitsFts, 1),
            relevance: relevance(unitsFts),
            taskId: NULL,
            taskNo: NULL,
          }),
        )
        .from(unitsFts)
        .innerJoin(units, eq(units.id, unitsFts.rowid))
        .where(and(wanted('unit'), ftsMatch(unitsFts), standing)),
    );

  // The aliases as units_fts holds them: sorted, one per line.
  const aliasLines = sql`(SELECT group_concat(${unitAliases.alias}, char(10) ORDER BY ${unitAliases.alias}) FROM ${unitAliases}
      WHERE ${unitAliases.unitId} = ${units.id})`;
  const aliasMatches = db
    .select({ one: sql`1` })
    .from(unitAliases)
    .where(and(eq(unitAliases.unitId, units.id), containsParam(unitAliases.alias, 'like')));
  const likeHits = () =>
    unionAll(
      db
        .select(
          hitColumns('task', {
            id: tasks.id,
            title: tasks.title,
            text: tasks.title,
            moreText: NULL,
            relevance: ZERO,
            taskId: tasks.id,
            taskNo: tasks.no,
          }),
        )
        .from(tasks)
        .where(and(wanted('task'), containsParam(tasks.title, 'like'))),
      db
        .select(
          hitColumns('measure', {
            id: measures.id,
            title: measures.text,
            text: measures.text,
            moreText: measures.targetsText,
            relevance: ZERO,
            taskId: tasks.id,
            taskNo: tasks.no,
          }),
        )
        .from(measures)
        .innerJoin(tasks, eq(tasks.id, measures.taskId))
        .where(and(wanted('measure'), or(containsParam(measures.text, 'like'), containsParam(measures.targetsText, 'like')))),
      db
        .select(
          hitColumns('unit', {
            id: units.id,
            title: units.name,
            text: units.name,
            moreText: aliasLines,
            relevance: ZERO,
            taskId: NULL,
            taskNo: NULL,
          }),
        )
        .from(units)
        .where(and(wanted('unit'), or(containsParam(units.name, 'like'), exists(aliasMatches)), standing)),
    );

  const order = sql`relevance DESC, type_order, id`;
  const fts = {
    page: ftsHits().orderBy(order).limit(param('limit')).offset(param('offset')).prepare(),
    total: db.select({ n: count() }).from(ftsHits().as('hits')).prepare(),
  };
  const like = {
    page: likeHits().orderBy(order).limit(param('limit')).offset(param('offset')).prepare(),
    total: db.select({ n: count() }).from(likeHits().as('hits')).prepare(),
  };

  return {
    /** Hits for `q` among the `types` asked for; see the module comment for the two ways a query runs. */
    search(q: string, types: readonly SearchType[], page: Page) {
      const how = textSearch(q);
      const [statements, params] = how.fts !== null ? [fts, { fts: how.fts }] : [like, { like: how.like }];
      const bound = { ...params, types: JSON.stringify(types) };
      const items = statements.page.all({ ...bound, ...page }).map(({ typeOrder: _order, relevance, text: first, moreText, taskId, taskNo, ...row }): SearchHit => {
        const searched = [first, moreText].filter((x): x is string => x !== null).map((x) => (how.fts !== null ? x : markMatches(x, q)));
        const matched = searched.find((x) => x.includes(HIT_START)) ?? first;
        return {
          ...row,
          snippet: cutSnippet(row.type === 'unit' ? matched.replaceAll('\n', ALIAS_SEPARATOR) : matched),
          rank: relevance,
          link: `${LINKS[row.type]}/${row.id}`,
          ...(taskId === null || taskNo === null ? {} : { taskId, taskNo }),
        };
      });
      return { items, total: statements.total.get(bound)!.n };
    },
  };
}

export type SearchRepository = ReturnType<typeof createSearchRepository>;
