/**
 * Report bodies for the write and bulk scenarios. Every body differs (a counter runs through the content) and
 * names a (unit, measure, period) not used before, so every request really creates a report: posting content
 * a report already has is a no-op in the project, which would make it look faster than it is.
 */
import type { OutgoingRequest } from './request-mix.js';

export const REPORTS_PATH = '/api/v1/reports';

/** A reporter key and the unit it reports for. */
export interface Reporter {
  unitId: number;
  unitName: string;
  token: string;
}

/** Every period the plan (2021–2025) accepts: 5 years, 10 halves, 20 quarters and 60 months. */
export const PERIODS: readonly string[] = [2021, 2022, 2023, 2024, 2025].flatMap((year) => [
  String(year),
  `${year}-H1`,
  `${year}-H2`,
  ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
  ...Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`),
]);

const STATUSES = ['not_started', 'in_progress', 'completed', 'delayed', 'blocked'] as const;

export interface ReportBody {
  measureId: number;
  period: string;
  status: (typeof STATUSES)[number];
  narrative: string;
  evidence: { title: string; url: string }[];
  percentComplete: number;
}

/** Report number `n`: a realistic size (a sentence, one evidence link) so validation and storage do real work. */
export function reportBody(n: number, measureId: number, period: string): ReportBody {
  return {
    measureId,
    period,
    status: STATUSES[n % STATUSES.length]!,
    narrative: `基准测试第 ${n} 号报告：本期已按分工推进该项措施，归集信用信息并完成阶段性检查。`,
    evidence: [{ title: `工作台账 ${n}`, url: `https://bench.example/reports/${n}.pdf` }],
    percentComplete: n % 101,
  };
}

/** The first `count` (measure, period) pairs, measure varying fastest: distinct rows for one unit's bulk file. */
export function bulkRows(measureIds: readonly number[], count: number): ReportBody[] {
  const capacity = measureIds.length * PERIODS.length;
  if (count > capacity) throw new Error(`a bulk file of ${count} rows needs more than the ${capacity} (measure, period) pairs there are`);
  return Array.from({ length: count }, (_, n) => reportBody(n, measureIds[n % measureIds.length]!, PERIODS[Math.floor(n / measureIds.length)]!));
}

/**
 * An endless stream of (token, body): request n goes to combination n of reporters × measures × periods, so
 * requests create distinct reports until `capacity` is used up; after that combinations repeat (`repeated`
 * counts them), which the project answers by updating the draft and a plain INSERT by a unique-index error.
 */
export function reportSequence(reporters: readonly Reporter[], measureIds: readonly number[]) {
  const capacity = reporters.length * measureIds.length * PERIODS.length;
  let issued = 0;
  return {
    capacity,
    get issued() {
      return issued;
    },
    get repeated() {
      return Math.max(0, issued - capacity);
    },
    next(): { token: string; body: ReportBody } {
      const n = issued++;
      const i = n % capacity;
      const reporter = reporters[i % reporters.length]!;
      const rest = Math.floor(i / reporters.length);
      return { token: reporter.token, body: reportBody(n, measureIds[rest % measureIds.length]!, PERIODS[Math.floor(rest / measureIds.length)]!) };
    },
  };
}

export type ReportSequence = ReturnType<typeof reportSequence>;

/** The next report write of `sequence` as a request: its key and body. */
export function nextPost(sequence: ReportSequence): OutgoingRequest {
  const { token, body } = sequence.next();
  return {
    method: 'POST',
    path: REPORTS_PATH,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  };
}
