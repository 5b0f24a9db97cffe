import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * Helpers for statements that are prepared once and reused: every filter is a named parameter that is
 * NULL when the filter is absent, and id lists travel as one JSON parameter, so the SQL text never changes
 * with the request and SQLite compiles it only once.
 */
export const param = (name: string) => sql.placeholder(name);

/** `condition` applies only when parameter `name` is not NULL. */
export function whenGiven(name: string, condition: SQL | undefined): SQL {
  return sql`(${param(name)} IS NULL OR ${condition})`;
}

/** `column` is one of the ids in the JSON array bound to parameter `name`. */
export function inJsonIds(column: Column, name: string): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${param(name)}))`;
}

/** `column` contains the text bound to parameter `name` (escape it with `likeLiteral`). */
export function containsParam(column: Column, name: string): SQL {
  return sql`${column} LIKE '%' || ${param(name)} || '%' ESCAPE '\\'`;
}

/** Escapes LIKE wildcards so user text is matched literally. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Rows grouped by a key, keeping their order. */
export function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
