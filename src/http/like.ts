import { sql, type Column, type SQL } from 'drizzle-orm';

/** Escapes LIKE wildcards so user text is matched literally (used with `ESCAPE '\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `column` contains `text` literally (case-sensitive for CJK, which has no case). */
export function textContains(column: Column | SQL, text: string): SQL {
  return sql`${column} LIKE ${`%${escapeLike(text)}%`} ESCAPE '\\'`;
}
