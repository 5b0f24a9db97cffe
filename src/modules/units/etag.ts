import { createHash } from 'node:crypto';

/**
 * A unit's ETag, sent with `GET /units/{id}` and named by `If-Match` on a rename or merge: a hash of the unit as that
 * GET shows it. Not a revision number: the counts it shows change with amendments of tasks and measures and with
 * imported plans, and an `If-None-Match` from before such a change must not get a 304.
 */
export function unitEtag(unit: { id: number }): string {
  return `"unit-${unit.id}.${createHash('sha256').update(JSON.stringify(unit)).digest('base64url').slice(0, 16)}"`;
}
