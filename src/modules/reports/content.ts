import type { IndicatorValue, ReportRow } from './repository.js';

/** The part of a report a unit writes; two reports with the same content are the same report. */
export interface Content {
  status: ReportRow['status'];
  narrative: string;
  evidence: { title: string; url?: string | undefined; note?: string | undefined }[];
  percentComplete: number | null;
  indicatorValues: IndicatorValue[];
}

function canonicalEvidence(evidence: Content['evidence']): string {
  return JSON.stringify(evidence.map(({ title, url, note }) => ({ title, ...(url ? { url } : {}), ...(note ? { note } : {}) })));
}

/** The report columns that hold the content (indicator values live in their own table). */
export function contentColumns(content: Content) {
  return {
    status: content.status,
    narrative: content.narrative,
    evidence: canonicalEvidence(content.evidence),
    percentComplete: content.percentComplete,
  };
}

export function sameContent(a: Content, b: Content): boolean {
  const key = (c: Content) =>
    JSON.stringify([c.status, c.narrative, canonicalEvidence(c.evidence), c.percentComplete, [...c.indicatorValues].sort((x, y) => x.indicatorId - y.indicatorId)]);
  return key(a) === key(b);
}

/** A stored report's content, with its indicator values. */
export function contentOf(row: ReportRow, values: IndicatorValue[]): Content {
  return {
    status: row.status,
    narrative: row.narrative,
    evidence: JSON.parse(row.evidence) as Content['evidence'],
    percentComplete: row.percentComplete,
    indicatorValues: values,
  };
}
