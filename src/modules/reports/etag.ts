import { strongMatch } from '../../http/etag.js';

/** A report's ETag: its id and version. */
export function etagOf(report: { id: number; version: number }): string {
  return `"${report.id}.${report.version}"`;
}

/** True when an If-Match header names this version (or is `*`), by the strong comparison: a weak tag never holds. */
export function ifMatchHolds(header: string, report: { id: number; version: number }): boolean {
  return strongMatch(header, etagOf(report));
}
